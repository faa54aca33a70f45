// JSON schemas of the API, shared by validation (ajv), serialization and the OpenAPI document.

export const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' } as const;
export const bytes32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;
export const hexBytes = {
  type: 'string',
  pattern: '^0x([0-9a-fA-F]{2})*$',
  maxLength: 65_536,
} as const;
export const uintString = { type: 'string', pattern: '^[0-9]{1,78}$' } as const;
export const base64 = {
  type: 'string',
  pattern: '^[A-Za-z0-9+/_-]*={0,2}$',
  maxLength: 8192,
} as const;
export const intentState = {
  type: 'string',
  enum: ['pending', 'submitted', 'confirmed', 'failed'],
} as const;

export const problem = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    hint: { type: 'string' },
    reason: { type: 'string' },
  },
  required: ['type', 'title', 'status'],
} as const;

export const problemResponses = {
  '4xx': { description: 'Problem (application/problem+json)', $ref: 'Problem#' },
  '5xx': { description: 'Problem (application/problem+json)', $ref: 'Problem#' },
} as const;

export const anchorEntry = {
  type: 'object',
  description:
    'Records.Entry signed by its creator (EIP-712 AnchorEntry); uints as decimal strings',
  additionalProperties: false,
  required: [
    'recordId',
    'patient',
    'creator',
    'contentRoot',
    'metadataHash',
    'category',
    'supersedes',
    'nonce',
    'signedAt',
    'signature',
  ],
  properties: {
    recordId: bytes32,
    patient: address,
    creator: address,
    contentRoot: bytes32,
    metadataHash: bytes32,
    category: bytes32,
    supersedes: bytes32,
    nonce: uintString,
    signedAt: uintString,
    signature: hexBytes,
  },
} as const;

export const intent = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string' },
    state: intentState,
    createdAt: { type: 'integer' },
    txHash: bytes32,
    error: { type: 'string' },
    receipt: { type: 'object', additionalProperties: true },
  },
  required: ['id', 'kind', 'state', 'createdAt'],
} as const;

export const recordMeta = {
  type: 'object',
  properties: {
    recordId: bytes32,
    patient: address,
    creator: address,
    category: bytes32,
    cid: { type: 'string' },
    size: { type: 'integer' },
    createdAt: { type: 'integer', description: 'Unix milliseconds' },
    metadata: { type: 'string', description: 'The client-encrypted metadata envelope, base64' },
    anchor: { type: 'object', properties: { state: intentState }, required: ['state'] },
  },
  required: ['recordId', 'patient', 'creator', 'category', 'cid', 'size', 'createdAt', 'anchor'],
} as const;

export const merkleProof = {
  type: 'object',
  description: 'Where the entry stands on chain; root, leaf and proof once it is in a batch',
  properties: {
    state: intentState,
    root: bytes32,
    leaf: bytes32,
    leafIndex: { type: 'integer' },
    proof: { type: 'array', items: bytes32 },
    cid: { type: 'string', description: 'CID of the batch entry list' },
    txHash: bytes32,
    receipt: { type: 'object', additionalProperties: true },
  },
  required: ['state'],
} as const;

export const forwardRequest = {
  type: 'object',
  description: 'AegleForwarder ForwardRequest signed with EIP-712 by `from`',
  additionalProperties: false,
  required: ['from', 'to', 'value', 'gas', 'nonce', 'deadline', 'data', 'signature'],
  properties: {
    from: address,
    to: address,
    value: uintString,
    gas: uintString,
    nonce: uintString,
    deadline: { type: 'integer', minimum: 0, maximum: 281474976710655 },
    data: hexBytes,
    signature: hexBytes,
  },
} as const;

export const bearer = [{ session: [] }];
