import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiError, sendApiError } from './api-error.js';
import { UnsupportedMediaType } from './json-body-parser.js';
import type { ApiError } from '@app/contracts';
import { ConflictError, formatFieldError, InvalidInputError, NotFoundError, renderValue } from '@app/common';

const MAX_DETAILS = 20;

/**
 * One error shape for every failure ({ statusCode, error, message, details? }), domain errors mapped to their
 * HTTP status, and never a stack trace or internal path in a response body.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error(
        `request ${request.id} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    void sendApiError(reply, body);
  }

  private toBody(exception: unknown): ApiError {
    if (exception instanceof InvalidInputError) {
      // A body with thousands of unknown fields must not buy a response many times its size.
      const shown = exception.errors.slice(0, MAX_DETAILS);
      const more = exception.errors.length - shown.length;
      return apiError(
        400,
        more > 0 ? `${shown.map(formatFieldError).join('; ')}; ... and ${more} more problems` : exception.message,
        shown.map(({ path, value, rule }) => ({ path, value: clip(value), rule })),
      );
    }
    if (exception instanceof UnsupportedMediaType)
      return apiError(415, exception.errors.map(formatFieldError).join('; '), exception.errors);
    if (exception instanceof ConflictError) return apiError(409, exception.message);
    if (exception instanceof NotFoundError) return apiError(404, exception.message);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
      if (status === 413) return apiError(413, describeFastifyError('FST_ERR_CTP_BODY_TOO_LARGE', ''));
      if (status === 415) return apiError(415, describeFastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', ''));
      return apiError(
        status,
        Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : JSON.stringify(message),
      );
    }
    // Errors raised by Fastify before routing (body parser, size limit, media type) carry a statusCode.
    const { statusCode, code, message } = (exception ?? {}) as {
      statusCode?: unknown;
      code?: unknown;
      message?: unknown;
    };
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return apiError(statusCode, describeFastifyError(String(code), String(message)));
    }
    return apiError(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error; see the server log for this request id');
  }
}

/**
 * A details value is echoed as sent unless its JSON is longer than the message's 80 characters: then the
 * truncated JSON text (as in the message) is sent instead, so a 60 KB field is not reflected back in full.
 */
function clip(value: unknown): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return renderValue(value);
  }
  return json !== undefined && json.length > 80 ? renderValue(value) : value;
}

function describeFastifyError(code: string, message: string): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return '(body): is larger than the 64 KiB limit';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return '(body): must be sent as Content-Type: application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return '(body): must not be empty when Content-Type is application/json';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return '(body): is not valid JSON';
    default:
      if (/prototype property/.test(message)) return '__proto__ / constructor.prototype: forbidden field names';
      if (/JSON/.test(message)) return '(body): is not valid JSON';
      return message.slice(0, 200);
  }
}
