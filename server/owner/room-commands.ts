import type { Document, Hocuspocus } from '@hocuspocus/server';
import { Redis as IORedis } from 'ioredis';
import type { ConnectionContext } from '../collab/connection-context.ts';
import type { Logger } from '../log.ts';

/**
 * What an owner's action asks of every instance that may hold the room
 * (`roomId` is its key, the document name): forget ids from the access cache,
 * stop storing it (deleted), close its connections (all, or one
 * participant's) with a close code of `shared/protocol.ts`.
 */
export interface RoomCommand {
  roomId: string;
  /** Ids the access resolver forgets (a rotation's or a deletion's old ids). */
  forget?: string[];
  /** The room was deleted: never store or restore it again (`PersistenceExtension.discardRoom`). */
  discard?: boolean;
  /** The room's new public ids after a rotation (a loaded room stored again from memory keeps them). */
  rotated?: { editId: string; viewId: string };
  close?: {
    code: number;
    reason: string;
    /** Only this participant's connections: an awareness client id, or the `user.id` of its awareness state. */
    participant?: string;
  };
}

/** Runs {@link RoomCommand}s here and, with Redis, on every other instance. */
export interface RoomCommands {
  /** Runs `command` here at once and publishes it; returns how many connections it closed here. */
  send(command: RoomCommand): number;
  close(): Promise<void>;
}

/** What a command does on one instance (given by the composition root). */
export interface RoomCommandTargets {
  hocuspocus: Hocuspocus;
  forget(ids: string[]): void;
  discard(roomId: string): void;
  rotated(roomId: string, ids: { editId: string; viewId: string }): void;
  /** Called on the instances that received a deletion from another one (to delete anything they stored again meanwhile). */
  onRemoteDiscard?(roomId: string): void;
}

export function createRoomCommands({
  targets,
  redis,
  log,
}: {
  targets: RoomCommandTargets;
  /** Present with `REDIS_URL`. */
  redis?: { url: string; prefix: string; instanceId: string };
  log: Logger;
}): RoomCommands {
  const run = (command: RoomCommand): number => {
    if (command.forget?.length) targets.forget(command.forget);
    if (command.discard) targets.discard(command.roomId);
    if (command.rotated) targets.rotated(command.roomId, command.rotated);
    const document = targets.hocuspocus.documents.get(command.roomId);
    return document && command.close ? closeConnections(document, command.close) : 0;
  };
  if (!redis) return { send: run, close: async () => {} };

  const channel = `${redis.prefix}:room-commands`;
  const connect = () => {
    const client = new IORedis(redis.url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2_000) });
    client.on('error', (error) => log.debug({ err: error }, 'room commands: redis connection error'));
    return client;
  };
  const pub = connect();
  const sub = connect();
  sub.subscribe(channel).catch((error: unknown) => log.warn({ err: error }, 'room commands: could not subscribe'));
  sub.on('message', (_channel: string, message: string) => {
    try {
      const { from, command } = JSON.parse(message) as { from: string; command: RoomCommand };
      if (from === redis.instanceId || typeof command?.roomId !== 'string') return;
      run(command);
      if (command.discard) targets.onRemoteDiscard?.(command.roomId);
    } catch (error) {
      log.debug({ err: error }, 'room commands: unreadable message from redis');
    }
  });
  return {
    send(command) {
      const closed = run(command);
      pub.publish(channel, JSON.stringify({ from: redis.instanceId, command })).catch((error: unknown) => {
        log.warn({ err: error, roomId: command.roomId }, 'room commands: could not reach the other instances');
      });
      return closed;
    },
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

/** Closes the connections of `document` (a participant's, or all) with `code`; returns how many. */
function closeConnections(document: Document, close: NonNullable<RoomCommand['close']>): number {
  let closed = 0;
  for (const [connection, entry] of [...document.connections]) {
    if (close.participant !== undefined && !isParticipant(document, entry.clients, close.participant)) continue;
    // The socket itself, then the document: nothing still in flight on it is applied after this.
    (connection.context as ConnectionContext | undefined)?.closeSocket?.(close.code, close.reason);
    connection.close({ code: close.code, reason: close.reason });
    closed++;
  }
  return closed;
}

/** True when one of a connection's awareness client ids is `participant`, or carries it as `user.id`. */
function isParticipant(document: Document, clients: ReadonlySet<number>, participant: string): boolean {
  const states = document.awareness.getStates();
  for (const client of clients) {
    if (String(client) === participant) return true;
    const user = (states.get(client) as { user?: { id?: unknown } } | undefined)?.user;
    if (typeof user?.id === 'string' && user.id === participant) return true;
  }
  return false;
}
