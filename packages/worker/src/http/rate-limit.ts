/**
 * Rate limits through the Workers rate-limiting binding (wrangler.toml `[[ratelimits]]`): one per API key and
 * one per client IP (`CF-Connecting-IP`, which Cloudflare sets and wrangler dev fills in). Over a limit the
 * answer is 429 `rate_limited` with `Retry-After`. A limiter that is not configured is off.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors';

/** The binding's shape (RateLimit in @cloudflare/workers-types). */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export interface RateLimitOptions {
  perKey?: RateLimiter | undefined;
  perClient?: RateLimiter | undefined;
  /** Seconds to tell a limited caller to wait: the limiter's period (default 10). */
  retryAfterSeconds?: number;
}

/** Reads the API key id (its hash) that auth set on the context, if any. */
export function rateLimit({ perKey, perClient, retryAfterSeconds = 10 }: RateLimitOptions, keyId: (c: Parameters<MiddlewareHandler>[0]) => string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const limited = (what: string) => {
      c.header('retry-after', String(retryAfterSeconds));
      return new ApiError('rate_limited', `Too many requests from this ${what}; retry after ${retryAfterSeconds} s.`);
    };
    const id = keyId(c);
    if (perKey && id && !(await perKey.limit({ key: `key:${id}` })).success) throw limited('API key');
    const ip = c.req.header('cf-connecting-ip');
    if (perClient && ip && !(await perClient.limit({ key: `ip:${ip}` })).success) throw limited('client');
    return next();
  };
}
