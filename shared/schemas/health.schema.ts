import { z } from 'zod';

/** Answer of `GET /health`: 200 when everything is ok, 503 otherwise. */
export const health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    /** Whether the database answered a query within a second. */
    database: z.enum(['ok', 'unreachable']),
    /** Present when Redis is configured: whether this instance reaches it. */
    redis: z.enum(['ok', 'unreachable']).optional(),
    /** Updates accepted but not yet written (non-zero while the database is failing). */
    pendingWrites: z.int().nonnegative(),
    /** Rooms loaded in memory. */
    rooms: z.int().nonnegative(),
    /** Open collaboration connections. */
    connections: z.int().nonnegative(),
    /** Present while a shutdown can neither store nor spill these rooms: the process stays up and retries (see docs/operations.md). */
    unsavedRooms: z.int().positive().optional(),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof health>;
