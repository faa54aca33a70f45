import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  InternalError,
  InvalidRequestError,
  NotFoundError,
  NotGrantedError,
  PayloadTooLargeError,
  RateLimitedError,
  SignInRejectedError,
  WriterNotAllowedError,
} from '../errors.ts';

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  hint?: string;
  reason?: string;
  /** POST /records/batch: the position of the record that made the node refuse the batch. */
  batchIndex?: number;
};

/** The RFC 9457 body of an error: fixed texts per type, never request data. */
export function problemOf(error: ApiError): Problem {
  return {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.shortMessage,
    ...(error.hint && { hint: error.hint }),
    ...((error instanceof NotGrantedError ||
      error instanceof WriterNotAllowedError ||
      error instanceof SignInRejectedError) && {
      reason: error.reason,
    }),
    ...(error.batchIndex !== undefined && { batchIndex: error.batchIndex }),
  };
}

/** Maps Fastify's own errors (validation, body size, media type, rate limit) to API errors. */
export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as FastifyError;
  if (e.validation) {
    const where = e.validationContext ?? 'request';
    const first = e.validation[0];
    // ajv's text names the field and the rule, never the value sent.
    const what = first
      ? `${where}${first.instancePath || ''} ${first.message ?? 'is invalid'}`
      : `${where} is invalid`;
    return new InvalidRequestError(
      `The ${what}.`,
      'See GET /openapi.json for the schema of this endpoint.',
    );
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PayloadTooLargeError();
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ApiError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'This endpoint does not accept this content type.',
      {
        hint: 'Send application/json, or application/octet-stream for record content.',
      },
    );
  }
  if (
    e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (e.statusCode === 400 && e.code?.startsWith('FST_ERR_CTP'))
  ) {
    return new InvalidRequestError('The body is not valid JSON.');
  }
  if (e.statusCode === 429) return new RateLimitedError();
  if (e.statusCode === 404) return new NotFoundError();
  return new InternalError();
}

export function sendProblem(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemOf(error)));
}

export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const apiError = toApiError(error);
  if (apiError.status >= 500) {
    // The error's name and code only: messages of lower layers may name paths or values.
    request.log.error(
      { err: { name: error.name, code: (error as FastifyError).code } },
      'request failed',
    );
  }
  return sendProblem(reply, apiError);
}
