/**
 * `node --import tsx test/bench/large-room-ack.bench.ts`: how long a typist in
 * a room of two million characters waits for each acknowledgement while the
 * room folds (through the fold worker) every ~2 s.
 *
 * One Pairpad server (SQLite, its own process). The room is filled with
 * 2,000,000 characters in 20,000 pastes of 100 at random places; then one
 * typist types a character every 40 ms for ACK_SECONDS (default 20). The
 * latency is from the update leaving the client to its acknowledgement
 * (`SyncStatus`), per update. ACK_SERVER_ROOT runs the server from another
 * checkout (e.g. a `git worktree` of the commit before the change) for the
 * "before" figures. Prints JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { connectClient, createRandom } from '../support/providers.ts';
import { createRoom } from '../support/server.ts';
import { summarizeLatencies } from './support/stats.ts';

const seconds = Number(process.env.ACK_SECONDS ?? 20);
const serverRoot = process.env.ACK_SERVER_ROOT || undefined;
const KEYSTROKE_MS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-large-ack-'));
  const env = { DATA_DIR: dataDir, RATE_LIMIT_ROOM_CREATE: '0', RATE_LIMIT_CONNECTIONS: '0' };
  const server: ChildServer = await spawnServer(env, serverRoot);
  try {
    const { roomId } = await createRoom(server.baseUrl, { code: '' });
    const typist = connectClient(server.wsUrl, roomId);
    await typist.synced;
    const random = createRandom(2);
    for (let message = 0; message < 20; message++) {
      typist.doc.transact(() => {
        for (let i = 0; i < 1_000; i++) typist.text.insert(Math.floor(random() * (typist.text.length + 1)), 'abcdefghij'.repeat(10));
      });
      await waitFor(() => !typist.provider.hasUnsyncedChanges);
    }
    await sleep(4_000); // the first large fold (on the event loop) hands the room to the worker

    const latencies: number[] = [];
    let previous = typist.provider.unsyncedChanges;
    const sentAt: number[] = [];
    typist.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      const now = performance.now();
      if (number > previous) sentAt.push(now);
      else if (number < previous) {
        const sent = sentAt.shift();
        if (sent !== undefined) latencies.push(now - sent);
      }
      previous = number;
    });
    let typed = 0;
    const deadline = performance.now() + seconds * 1_000;
    while (performance.now() < deadline) {
      typist.text.insert(typist.text.length, 'k');
      typed++;
      await sleep(KEYSTROKE_MS);
    }
    await waitFor(() => !typist.provider.hasUnsyncedChanges, 30_000).catch(() => undefined);
    typist.destroy();
    const summary = summarizeLatencies(latencies, typed);
    console.log(JSON.stringify({ bench: 'large-room-ack', server: serverRoot ?? 'this checkout', seconds, keystrokeMs: KEYSTROKE_MS, ...summary }, null, 2));
  } finally {
    server.kill('SIGKILL');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
