import type { FastifyReply } from 'fastify';
import type { ApiError } from '@app/contracts';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The one error body of the API: `{ statusCode, error, message, details? }`, the reason phrase from the status. */
export function apiError(statusCode: number, message: string, details?: ApiError['details']): ApiError {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', message, ...(details ? { details } : {}) };
}

/** Sends an error body as JSON with its status. */
export function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply
    .code(error.statusCode)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(error));
}
