import { Redis as IORedis } from 'ioredis';
import type { Logger } from '../log.ts';

/** How long a room's editor list outlives its last change (a list left by instances that all died goes by itself). */
const SLOTS_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The editors of each room on every instance, in the order they joined, for
 * the owner's `maxEditors` (`docs/owner.md`). One Redis sorted set per room,
 * `<prefix>:editors:<roomId>`, of `<instance>|<n>` scored by join time: an
 * editor's place is its rank among the members of live instances (a dead
 * instance's members are skipped and pruned, by the heartbeat keys of
 * `RedisSyncExtension`). Two editors joining at once on two instances both
 * see the same order, so exactly the first `maxEditors` are admitted.
 */
export interface EditorSlots {
  /** Records an editor's connection; `member` is unique to it on this instance. */
  join(roomId: string, member: string): void;
  /** Whether `member` is among the first `maxEditors` editors of the room on every instance; `undefined` when Redis cannot say (count here instead). */
  admits(roomId: string, member: string, maxEditors: number): Promise<boolean | undefined>;
  leave(roomId: string, member: string): void;
  close(): Promise<void>;
}

export function createRedisEditorSlots({
  url,
  prefix,
  instanceId,
  isInstanceAlive,
  log,
}: {
  url: string;
  prefix: string;
  instanceId: () => string;
  isInstanceAlive: (instance: string) => Promise<boolean>;
  log: Logger;
}): EditorSlots {
  // Retry forever, but never queue while away: each call checks `ready` first.
  const client = new IORedis(url, { maxRetriesPerRequest: null, enableOfflineQueue: false, retryStrategy: (times) => Math.min(times * 200, 2_000) });
  client.on('error', (error) => log.debug({ err: error }, 'editor slots: redis connection error'));
  const keyOf = (roomId: string) => `${prefix}:editors:${roomId}`;
  const memberOf = (member: string) => `${instanceId()}|${member}`;
  const ready = () => client.status === 'ready';
  const quietly = (promise: Promise<unknown>) => promise.catch((error: unknown) => log.debug({ err: error }, 'editor slots: redis command failed'));

  return {
    join(roomId, member) {
      if (!ready()) return;
      void quietly(client.multi().zadd(keyOf(roomId), 'NX', Date.now(), memberOf(member)).pexpire(keyOf(roomId), SLOTS_TTL_MS).exec());
    },
    async admits(roomId, member, maxEditors) {
      if (!ready()) return undefined;
      try {
        const key = keyOf(roomId);
        const own = memberOf(member);
        // Joined already (join() ran first), unless Redis was away then.
        await client.zadd(key, 'NX', Date.now(), own);
        const members = await client.zrange(key, 0, -1);
        const instances = [...new Set(members.map((entry) => entry.slice(0, entry.indexOf('|'))))];
        const alive = new Map(await Promise.all(instances.map(async (instance) => [instance, instance === instanceId() || (await isInstanceAlive(instance))] as const)));
        const dead = members.filter((entry) => !alive.get(entry.slice(0, entry.indexOf('|'))));
        if (dead.length > 0) void quietly(client.zrem(key, ...dead));
        const rank = members.filter((entry) => alive.get(entry.slice(0, entry.indexOf('|')))).indexOf(own);
        return rank !== -1 && rank < maxEditors;
      } catch (error) {
        log.debug({ err: error, roomId }, 'editor slots: could not count the editors; counting this instance\'s');
        return undefined;
      }
    },
    leave(roomId, member) {
      if (!ready()) return;
      void quietly(client.zrem(keyOf(roomId), memberOf(member)));
    },
    async close() {
      await client.quit().catch(() => {});
    },
  };
}
