import type { Hocuspocus } from '@hocuspocus/server';
import { Redis as IORedis } from 'ioredis';
import { parseRunEvent, type RunEvent } from '../../shared/schemas/run-event.schema.ts';
import type { Logger } from '../log.ts';

/**
 * Tells a room about its runs, on every instance: the event goes to this
 * instance's connections of the room as a server stateless message (the
 * `/yjs` bridge turns it into message type 100 for sockets that opted in),
 * and over Redis to the other instances, which do the same with theirs.
 * Wire form: "Run events" in `shared/protocol.ts`.
 *
 * Its own channel rather than `broadcastStateless`: the room may not be
 * loaded on the instance that runs the program (the POST came to another
 * one), and Hocuspocus's Redis extension only relays for loaded rooms.
 */
export interface RunEvents {
  /** Sends `event` to everyone in the room `roomId` (the edit id), on every instance. */
  publish(roomId: string, event: RunEvent): void;
  /** Asks the other instances to stop a run (the one running it does); false without Redis. */
  requestCancel(runId: string): boolean;
  /** Called with each run another instance asks this one to stop. */
  onCancelRequest(handler: (runId: string) => void): void;
  close(): Promise<void>;
}

export function createRunEvents({
  hocuspocus,
  redis,
  log,
}: {
  hocuspocus: Hocuspocus;
  /** Present with `REDIS_URL`: where the instances meet, and who this one is. */
  redis?: { url: string; prefix: string; instanceId: string };
  log: Logger;
}): RunEvents {
  const deliver = (roomId: string, payload: string) => {
    // relayStateless, not broadcastStateless: the Redis extension must not relay it again.
    hocuspocus.documents.get(roomId)?.relayStateless(payload);
  };
  if (!redis) {
    return {
      publish: (roomId, event) => deliver(roomId, JSON.stringify(event)),
      requestCancel: () => false,
      onCancelRequest: () => {},
      close: async () => {},
    };
  }

  const channel = `${redis.prefix}:runs`;
  const connect = () => {
    const client = new IORedis(redis.url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2_000) });
    client.on('error', (error) => log.debug({ err: error }, 'run events: redis connection error'));
    return client;
  };
  const pub = connect();
  const sub = connect();
  sub.subscribe(channel).catch((error: unknown) => log.warn({ err: error }, 'run events: could not subscribe'));
  let cancelHandler: (runId: string) => void = () => {};
  sub.on('message', (_channel: string, message: string) => {
    try {
      const { from, roomId, payload, cancel } = JSON.parse(message) as { from: string; roomId?: string; payload?: string; cancel?: string };
      if (from === redis.instanceId) return;
      if (typeof cancel === 'string') return cancelHandler(cancel);
      if (typeof roomId === 'string' && typeof payload === 'string' && parseRunEvent(payload)) deliver(roomId, payload);
    } catch (error) {
      log.debug({ err: error }, 'run events: unreadable message from redis');
    }
  });

  // While Redis is away the other instances' viewers miss live output (the
  // run itself is stored); nothing piles up in ioredis's offline queue.
  const send = (message: object) => {
    if (pub.status !== 'ready' && pub.status !== 'connect' && pub.status !== 'connecting' && pub.status !== 'wait') return false;
    pub.publish(channel, JSON.stringify({ from: redis.instanceId, ...message })).catch((error: unknown) => log.debug({ err: error }, 'run events: publish failed'));
    return true;
  };
  return {
    publish(roomId, event) {
      const payload = JSON.stringify(event);
      deliver(roomId, payload);
      send({ roomId, payload });
    },
    requestCancel: (runId) => send({ cancel: runId }),
    onCancelRequest(handler) {
      cancelHandler = handler;
    },
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
