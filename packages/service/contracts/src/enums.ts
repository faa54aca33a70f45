// Solidity enums and role ids as TypeScript values, mirroring solidity/*.sol. The contract behaviour
// tests (packages/service/chain/test/contracts) check each against the deployed contracts.

/** `Accounts.Role`. */
export const Role = {
  None: 0,
  Patient: 1,
  Provider: 2,
  Institution: 3,
  Researcher: 4,
  Authority: 5,
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** `Consents.Scope`: a grant covers one record id, or every record of a category. */
export const Scope = { Record: 0, Category: 1 } as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/** `Records.Fault`: why an anchored entry was found invalid. */
export const Fault = {
  None: 0,
  BadSignature: 1,
  SignedOutsideWindow: 2,
  CreatorNotAllowed: 3,
  Duplicate: 4,
} as const;
export type Fault = (typeof Fault)[keyof typeof Fault];

/**
 * AccessControl role ids held by Certification: keccak256 of the names in AegleRoles.sol.
 * DEFAULT_ADMIN_ROLE (0x00…00) administers AUTHORITY and CERTIFIER; AUTHORITY administers NODE.
 */
export const roleIds = {
  defaultAdmin: '0x0000000000000000000000000000000000000000000000000000000000000000',
  /** keccak256("AEGLE_AUTHORITY_ROLE"): certifies and revokes; grants NODE_ROLE. */
  authority: '0xb8aaae3b24d990dade16a9204d208ad12ec07221b93690d46031a1685fe0b5b1',
  /** keccak256("AEGLE_CERTIFIER_ROLE"): the future peer-vote contract, certifies like an authority. */
  certifier: '0xe87ad71ea9e3a166c022451e9eb9226c7f4da3dcdf38ef2eb4f43bb71ef0c82b',
  /** keccak256("AEGLE_NODE_ROLE"): commits batched anchors and audit roots. */
  node: '0xba74785bb2bbeae230b6841e9af32db6eb48ab3acb9dcd6192348bacec91c3f4',
} as const;
