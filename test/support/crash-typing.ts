import * as Y from 'yjs';
import type { ChildServer } from './child-server.ts';
import { connectClient, createRandom, makeRandomEdit, type TestClient } from './providers.ts';

/** What one typist had acknowledged when the server was killed. */
export interface AckedTypist {
  clientId: number;
  /** The typist's own Yjs clock covered by acknowledgements received before the kill. */
  ackedClock: number;
  /** Its clock when the kill was sent (acknowledged or not). */
  typedClock: number;
}

/** One round: typists type, the server dies with SIGKILL at a random moment. */
export interface KillRound {
  typists: AckedTypist[];
  /** Milliseconds from sending an update to receiving its acknowledgement, for every acknowledged update. */
  ackLatenciesMs: number[];
  /** Milliseconds the typists typed before the kill. */
  killedAfterMs: number;
}

/**
 * Follows `@hocuspocus/provider`'s count of unacknowledged updates. It counts
 * up as the client sends an update and down as an acknowledgement arrives;
 * the server answers a connection's updates in order, so each answer
 * acknowledges the oldest update outstanding, and the client's own Yjs clock
 * just after that update is what the server has promised to keep. Also times
 * each acknowledgement.
 */
function followAcks(client: TestClient, latencies: number[]): { ackedClock(): number; stop(): void } {
  const ownClock = () => Y.getState(client.doc.store, client.doc.clientID);
  let acked = ownClock();
  let previous = client.provider.unsyncedChanges;
  const outstanding: { sentAt: number; clock: number }[] = [];
  let stopped = false;
  const onCount = ({ number }: { number: number }) => {
    if (stopped) return;
    const now = performance.now();
    if (number > previous) outstanding.push({ sentAt: now, clock: ownClock() });
    else if (number < previous) {
      const update = outstanding.shift();
      if (update) {
        latencies.push(now - update.sentAt);
        acked = update.clock;
      }
    }
    previous = number;
  };
  client.provider.on('unsyncedChanges', onCount);
  return {
    ackedClock: () => acked,
    stop: () => {
      stopped = true;
      client.provider.off('unsyncedChanges', onCount);
    },
  };
}

/**
 * Starts `typists` providers in `roomId` on `server`, has each make a random
 * edit every 1–6 ms, and SIGKILLs the server after a random 150–900 ms
 * (`random` decides). Returns what each typist had acknowledged at that moment.
 */
export async function typeUntilKilled(server: ChildServer, roomId: string, typists: number, random: () => number): Promise<KillRound> {
  const clients = Array.from({ length: typists }, () => connectClient(server.wsUrl, roomId));
  try {
    await Promise.all(clients.map((client) => client.synced));
    // The first sync's own acknowledgement: wait for it so counting starts from 0.
    await Promise.all(clients.map((client) => waitUntil(() => !client.provider.hasUnsyncedChanges)));
    const latencies: number[] = [];
    const follows = clients.map((client) => followAcks(client, latencies));
    let typing = true;
    const loops = clients.map(async (client, index) => {
      const own = createRandom(Math.floor(random() * 2 ** 31) + index);
      while (typing) {
        makeRandomEdit(client.text, own);
        await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(own() * 6)));
      }
    });
    const killedAfterMs = 150 + Math.floor(random() * 750);
    await new Promise((resolve) => setTimeout(resolve, killedAfterMs));
    // What counts is what was acknowledged before the signal left.
    const typistsAtKill = clients.map((client, index) => ({
      clientId: client.doc.clientID,
      ackedClock: follows[index].ackedClock(),
      typedClock: Y.getState(client.doc.store, client.doc.clientID),
    }));
    follows.forEach((follow) => follow.stop());
    server.kill('SIGKILL');
    typing = false;
    await Promise.all(loops);
    await server.exited;
    return { typists: typistsAtKill, ackLatenciesMs: latencies, killedAfterMs };
  } finally {
    clients.forEach((client) => client.destroy());
  }
}

/** Acknowledged insertions (Yjs clock units: one per character) of `round` that `stored` lacks, summed over the typists. */
export function lostAcknowledged(round: KillRound, stored: Y.Doc): number {
  let lost = 0;
  for (const typist of round.typists) lost += Math.max(0, typist.ackedClock - Y.getState(stored.store, typist.clientId));
  return lost;
}

/** Opens the room on a freshly started server and returns its document as stored. */
export async function readStoredRoom(server: ChildServer, roomId: string): Promise<Y.Doc> {
  const reader = connectClient(server.wsUrl, roomId);
  try {
    await reader.synced;
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(reader.doc));
    return copy;
  } finally {
    reader.destroy();
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
