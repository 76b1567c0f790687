import type { Connection } from '@hocuspocus/server';
import { isTransactionOrigin } from '@hocuspocus/server';

/** The client connection a change came from; undefined for loads, folds, relays and server-side changes. */
export function senderOf(origin: unknown): Connection | undefined {
  return isTransactionOrigin(origin) && origin.source === 'connection' ? origin.connection : undefined;
}

/** True for changes another instance relayed through Redis (the Redis extension's origin). */
export function isFromRedis(origin: unknown): boolean {
  return isTransactionOrigin(origin) && origin.source === 'redis';
}
