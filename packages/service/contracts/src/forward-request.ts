// What a user signs to have a node relay a call through AegleForwarder (OpenZeppelin ERC2771Forwarder).

type Hex = `0x${string}`;

/** EIP-712 domain name and version of AegleForwarder. */
export const forwarderDomainName = 'AegleForwarder';
export const forwarderDomainVersion = '1';

export function forwarderDomain(
  chainId: number,
  verifyingContract: Hex,
): { name: string; version: string; chainId: number; verifyingContract: Hex } {
  return { name: forwarderDomainName, version: forwarderDomainVersion, chainId, verifyingContract };
}

/**
 * `ForwardRequest(address from,address to,uint256 value,uint256 gas,uint256 nonce,uint48 deadline,bytes data)`.
 * The nonce is the forwarder's `nonces(from)`; `execute` takes the same fields with `signature`
 * instead of `nonce`.
 */
export const forwardRequestTypes = {
  ForwardRequest: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'gas', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint48' },
    { name: 'data', type: 'bytes' },
  ],
} as const;

/**
 * A signed ForwardRequest as it travels between a client and a node's relay routes (JSON: uints
 * as decimal strings). The forwarder's nonce is part of what was signed.
 */
export type SignedForwardRequest = {
  from: Hex;
  to: Hex;
  value: string;
  gas: string;
  nonce: string;
  deadline: number;
  data: Hex;
  signature: Hex;
};
