import {
  accountsAbi,
  consentsAbi,
  forwarderDomain,
  forwardRequestTypes,
  type SignedForwardRequest,
} from '@aegle/contracts';
import { decodeFunctionData, hashTypedData, keccak256 } from 'viem';
import {
  ForbiddenError,
  IntentNotFoundError,
  InvalidRequestError,
  InvalidSignatureError,
} from './errors.ts';
import type { NodeContext } from './node-context.ts';
import type { IntentView } from './outbox.ts';
import type { Hex, IntentKind } from './ports.ts';
import { signedBy } from './signed-by.ts';

/** A user's signed AegleForwarder request (EIP-712 `ForwardRequest`, with the signature). */
export type ForwardRequest = SignedForwardRequest;

/** The kinds a user may ask the node to relay, and the calls each may carry. */
const CALLS = {
  grant: { abi: consentsAbi, target: 'consents', functions: ['grant'] },
  revoke: { abi: consentsAbi, target: 'consents', functions: ['revoke'] },
  guardian: { abi: accountsAbi, target: 'accounts', functions: ['setGuardian'] },
  register: {
    abi: accountsAbi,
    target: 'accounts',
    functions: ['register', 'rotateEncryptionKey'],
  },
} as const;

export type RelayKind = keyof typeof CALLS;

const lower = (value: string) => value.toLowerCase() as Hex;

/**
 * Accepts a signed request for relaying: it must come from the signed-in account, be unexpired,
 * carry a valid EIP-712 signature (when the forwarder's address is configured), call the expected
 * contract function, and, for grants and revocations, be made by the patient or their guardian.
 * Then it is journaled in the outbox (idempotent on the client's Idempotency-Key, or on the
 * signature) and acknowledged; the worker relays it.
 */
export async function acceptSignedRequest(
  ctx: NodeContext,
  caller: Hex,
  kind: RelayKind,
  request: ForwardRequest,
  idempotencyKey: string | undefined,
): Promise<{ intent: IntentView; created: boolean }> {
  if (lower(request.from) !== caller) {
    throw new ForbiddenError(
      'The request must be signed by the signed-in account.',
      'Sign the forward request with the account of this session.',
    );
  }
  const nowS = Math.floor(ctx.now() / 1000);
  if (request.deadline <= nowS) {
    throw new InvalidRequestError(
      'The signed request has expired.',
      'Sign it again with a later deadline.',
    );
  }
  const targets = ctx.targets;
  const call = CALLS[kind];
  if (targets?.forwarder) {
    const valid = verifyForwardRequest(request, targets.chainId, targets.forwarder);
    if (!valid) throw new InvalidSignatureError('forward request');
  }
  const expectedTo = targets?.[call.target];
  if (expectedTo && lower(request.to) !== lower(expectedTo)) {
    throw new InvalidRequestError(`A ${kind} request must call the ${call.target} contract.`);
  }
  let decoded: { functionName: string; args?: readonly unknown[] };
  try {
    decoded = decodeFunctionData({ abi: call.abi, data: request.data }) as typeof decoded;
  } catch {
    throw new InvalidRequestError(`The request's call data is not a ${kind} call.`);
  }
  if (!(call.functions as readonly string[]).includes(decoded.functionName)) {
    throw new InvalidRequestError(`A ${kind} request must call ${call.functions.join(' or ')}.`);
  }
  if (kind === 'grant' || kind === 'revoke') {
    const patient = lower(String(decoded.args?.[0]));
    if (
      patient !== caller &&
      !(await ctx.permissions.actsFor(caller, patient, new Date(ctx.now())))
    ) {
      throw new ForbiddenError(
        'Only the patient or their guardian may change grants.',
        'Ask the patient to name you as guardian, or sign in as the patient.',
      );
    }
  }
  const key = idempotencyKey
    ? `${kind}:${caller}:${idempotencyKey}`
    : `${kind}:sig:${keccak256(request.signature)}`;
  const result = ctx.outbox.enqueue(kind, key, { request }, ctx.now());
  if (result.created) ctx.wakeOutbox();
  return result;
}

function verifyForwardRequest(request: ForwardRequest, chainId: number, forwarder: Hex): boolean {
  try {
    const digest = hashTypedData({
      domain: forwarderDomain(chainId, forwarder),
      types: forwardRequestTypes,
      primaryType: 'ForwardRequest',
      message: {
        from: request.from,
        to: request.to,
        value: BigInt(request.value),
        gas: BigInt(request.gas),
        nonce: BigInt(request.nonce),
        deadline: request.deadline,
        data: request.data,
      },
    });
    return signedBy(digest, request.signature, request.from);
  } catch {
    return false;
  }
}

/** An intent's state, for the account that submitted it (anyone else is told it does not exist). */
export function intentFor(ctx: NodeContext, caller: Hex, id: number): IntentView {
  const intent = ctx.outbox.get(id);
  const payload =
    intent && (ctx.outbox.payloadOf(id) as { request?: { from?: string } } | undefined);
  if (!intent || lower(payload?.request?.from ?? '') !== caller) throw new IntentNotFoundError();
  return intent;
}

export const RELAY_KINDS = Object.keys(CALLS) as RelayKind[];
export type { IntentKind };
