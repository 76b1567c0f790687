import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Metrics } from '../metrics.ts';
import { HttpError } from './errors.ts';

function matches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `GET /metrics` in Prometheus format; behind `Authorization: Bearer METRICS_TOKEN` when one is set. */
export function createMetricsRouter({ metrics, token, refresh }: { metrics: Metrics; token: string | undefined; refresh: () => void }): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (token !== undefined && !matches(req.get('authorization') ?? '', `Bearer ${token}`)) {
      throw new HttpError('unauthorized', 'Send Authorization: Bearer <METRICS_TOKEN>', { 'WWW-Authenticate': 'Bearer' });
    }
    refresh();
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
