import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InvalidInputError } from '@app/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_TOKENS, AdminTokens } from './admin-tokens.js';
import { FailureLimiter } from './failure-limiter.js';
import { IS_PUBLIC } from './public.decorator.js';

export const AUTH_FAILURES = Symbol('AUTH_FAILURES');

/** Who made an admin request: set by the guard, read by controllers for the audit log. */
export interface AdminRequest extends FastifyRequest {
  adminActor?: string;
}

/** The audit actor of an admin request (the guard always sets it on admin routes). */
export function actorOf(request: AdminRequest): string {
  return request.adminActor ?? 'unknown';
}

/**
 * Global, deny-by-default guard: a route is reachable without a token only when marked @Public(), so a new route
 * can never ship open. Failed attempts are counted per client IP (request.ip honours only the configured proxy
 * hops); past the limit the IP's failures get 429 (with Retry-After) until the block expires, while a valid token
 * still passes.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ADMIN_TOKENS) private readonly tokens: AdminTokens,
    @Inject(AUTH_FAILURES) private readonly failures: FailureLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // Node keeps the first of repeated Authorization headers and drops the rest; "first one wins" is ambiguous
    // between proxies and servers, so a request carrying two is refused outright.
    const sent = request.raw.rawHeaders.filter(
      (name, index) => index % 2 === 0 && name.toLowerCase() === 'authorization',
    );
    if (sent.length > 1) {
      throw new InvalidInputError([
        { path: 'authorization', value: `(${sent.length} headers)`, rule: 'must be sent once' },
      ]);
    }
    const header = request.headers.authorization;
    // The scheme is case-insensitive (RFC 9110 §11.1): "bearer" and "BEARER" are "Bearer".
    const match = typeof header === 'string' ? /^Bearer +([\x21-\x7e]{1,512})$/i.exec(header) : null;
    const actor = match?.[1] ? this.tokens.verify(match[1]) : null;
    // A valid token passes even from an address blocked for failures: anyone behind the same NAT could otherwise
    // lock an admin out. Tokens are 192 random bits, so the limit is about noise, not about guessing.
    if (actor !== null) {
      request.adminActor = actor;
      // Admin answers are per token and change with every write: never stored by a browser or a CDN.
      reply.header('cache-control', 'no-store');
      return true;
    }
    const blockedMs = this.failures.blockedFor(request.ip);
    if (blockedMs > 0) this.tooMany(reply, blockedMs);
    const newlyBlockedMs = this.failures.fail(request.ip);
    if (newlyBlockedMs > 0) this.tooMany(reply, newlyBlockedMs);
    reply.header(
      'www-authenticate',
      header === undefined ? 'Bearer realm="admin"' : 'Bearer realm="admin", error="invalid_token"',
    );
    throw new UnauthorizedException(
      header === undefined
        ? 'an admin token is required: Authorization: Bearer <token>'
        : 'the admin token is not valid',
    );
  }

  private tooMany(reply: FastifyReply, retryAfterMs: number): never {
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    throw new HttpException(
      'too many failed authentication attempts from this address; retry later',
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
