// The one place the SDK takes the Records EIP-712 definitions from @aegle/contracts, so that the
// signed message can never drift from the contract's. (That package's entry point also exports
// the solc build today; see docs/KEYS.md, "Browsers".)
export {
  type AnchorEntry,
  anchorEntryTypes,
  bytes32Label,
  forwarderDomain,
  forwardRequestTypes,
  recordsDomain,
} from '@aegle/contracts';
