import type { Account } from '@aegle/crypto';
import { bytesToHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { forwarderDomain, forwardRequestTypes, type SignedForwardRequest } from './contracts.ts';

export type { SignedForwardRequest };

/** A call for a node to relay through AegleForwarder (ERC-2771), before signing. */
export type ForwardRequestInput = {
  /** The contract called (Consents, Accounts). */
  to: Hex;
  /** ABI-encoded calldata. */
  data: Hex;
  /** The forwarder's `nonces(from)`. */
  nonce: bigint;
  /** Unix seconds after which the forwarder refuses it. */
  deadline: number;
  gas: bigint;
  value?: bigint;
};

/**
 * Signs a ForwardRequest (EIP-712, AegleForwarder's domain) so that a node can relay the call and
 * pay its gas while the contract still sees the signer as the sender. Grants, revocations and
 * guardian changes all travel this way.
 */
export async function signForwardRequest(
  request: ForwardRequestInput,
  signer: Pick<Account, 'address' | 'signingPrivateKey'>,
  forwarder: { chainId: number; address: Hex },
): Promise<SignedForwardRequest> {
  const account = privateKeyToAccount(bytesToHex(signer.signingPrivateKey));
  const value = request.value ?? 0n;
  const signature = await account.signTypedData({
    domain: forwarderDomain(forwarder.chainId, forwarder.address),
    types: forwardRequestTypes,
    primaryType: 'ForwardRequest',
    message: {
      from: account.address,
      to: request.to,
      value,
      gas: request.gas,
      nonce: request.nonce,
      deadline: request.deadline,
      data: request.data,
    },
  });
  return {
    from: account.address,
    to: request.to,
    value: value.toString(),
    gas: request.gas.toString(),
    nonce: request.nonce.toString(),
    deadline: request.deadline,
    data: request.data,
    signature,
  };
}
