import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Metrics } from '../metrics.ts';
import { HttpError } from './errors.ts';

/**
 * A per-client-IP limit of `perMinute` requests (0 turns it off), answered
 * with 429 `rate_limited` and `Retry-After`. The client IP honours
 * `TRUST_PROXY` through Express's `trust proxy` setting.
 */
export function limitPerMinute(name: string, perMinute: number, metrics: Pick<Metrics, 'rateLimited'>): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  const hits = metrics.rateLimited.labels(name);
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Without TRUST_PROXY, X-Forwarded-For is ignored on purpose: anyone can send it.
    validate: { xForwardedForHeader: false },
    handler: (req) => {
      hits.inc();
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
      throw new HttpError('rate_limited', `Too many requests: at most ${perMinute} a minute; try again in ${retryAfter} s`, {
        'Retry-After': String(retryAfter),
      });
    },
  });
}
