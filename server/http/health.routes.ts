import { Router } from 'express';
import type { Health } from '../../shared/schemas/health.schema.ts';

/** What `/health` reports on. */
export interface HealthSources {
  pingDatabase(): Promise<void>;
  /** Accepted updates and rooms not yet written (non-zero while writes fail). */
  pendingWrites(): number;
  /** True while the last write to the database failed. */
  writesFailing(): boolean;
  /** Undefined without Redis; otherwise whether Redis is reachable. */
  redisConnected(): boolean | undefined;
  /** Rooms a shutdown could neither store nor spill (it stays up and retries); 0 otherwise. */
  unsavedRooms?(): number;
  rooms(): number;
  connections(): number;
}

const DATABASE_TIMEOUT_MS = 1_000;

async function isDatabaseReachable(ping: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /livez` (the process runs) and `GET /health` (it can also store what it accepts). */
export function createHealthRouter(sources: HealthSources): Router {
  const router = Router();

  router.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/health', async (_req, res) => {
    const reachable = await isDatabaseReachable(sources.pingDatabase);
    const unsavedRooms = sources.unsavedRooms?.() ?? 0;
    const healthy = reachable && !sources.writesFailing() && unsavedRooms === 0;
    const redis = sources.redisConnected();
    // Without Redis an instance still serves its own clients, so it stays in
    // rotation (200) and says it is degraded.
    const body: Health = {
      status: healthy && redis !== false ? 'ok' : 'degraded',
      database: reachable ? 'ok' : 'unreachable',
      ...(redis === undefined ? {} : { redis: redis ? 'ok' : 'unreachable' }),
      pendingWrites: sources.pendingWrites(),
      rooms: sources.rooms(),
      connections: sources.connections(),
      ...(unsavedRooms > 0 ? { unsavedRooms } : {}),
    };
    res.status(healthy ? 200 : 503).set('Cache-Control', 'no-store').json(body);
  });

  return router;
}
