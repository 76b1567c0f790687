import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRestartableServers } from '../support/child-server.ts';
import { dialects } from '../support/databases.ts';
import { connectClient, createRandom, typeRandomEdits } from '../support/providers.ts';
import { createRoom, fetchRoomCode } from '../support/server.ts';
import { lostAcknowledged, readStoredRoom, typeUntilKilled } from '../support/crash-typing.ts';

/** SIGKILLs per dialect in `npm test`; `npm run bench:durability` runs many more. */
const KILL_ROUNDS = 4;

describe.each(dialects)('durability across crashes on %s', (dialect) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const servers = createRestartableServers(dialect, cleanups, 'crash');

  it('keeps every edit when the server is killed with SIGKILL 150 ms after the last keystroke', async () => {
    const env = await servers.storageEnv();
    const server = await servers.start(env);
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    const client = connectClient(server.wsUrl, roomId);
    cleanups.push(() => client.destroy());
    await client.synced;
    await typeRandomEdits(client.text, 300, 7);
    const typed = client.text.toString();
    // The contract starts when the server has accepted (acknowledged) the edits.
    await vi.waitFor(() => expect(client.provider.hasUnsyncedChanges).toBe(false));
    await new Promise((resolve) => setTimeout(resolve, 150)); // the durability window under test
    server.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    client.destroy();

    const restarted = await servers.start(env);
    expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(typed);
    const reader = connectClient(restarted.wsUrl, roomId);
    cleanups.push(() => reader.destroy());
    await reader.synced;
    expect(reader.text.toString()).toBe(typed);
  });

  it(`keeps every acknowledged edit of three typists across ${KILL_ROUNDS} SIGKILLs at random moments`, async () => {
    const env = await servers.storageEnv();
    let server = await servers.start(env);
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });
    const random = createRandom(19);
    for (let round = 0; round < KILL_ROUNDS; round++) {
      const killed = await typeUntilKilled(server, roomId, 3, random);
      // The round means something only if edits were acknowledged, and some were typed after the last one.
      expect(killed.typists.some((typist) => typist.ackedClock > 0)).toBe(true);
      server = await servers.start(env);
      const stored = await readStoredRoom(server, roomId);
      expect({ round, lost: lostAcknowledged(killed, stored) }).toEqual({ round, lost: 0 });
    }
  }, 120_000);

  it.each(['SIGTERM', 'SIGINT'] as const)('stores every edit and exits 0 on %s sent right after the last keystroke', async (signal) => {
    const env = await servers.storageEnv();
    const server = await servers.start(env);
    const { roomId } = await createRoom(server.baseUrl);
    const client = connectClient(server.wsUrl, roomId);
    cleanups.push(() => client.destroy());
    await client.synced;
    await typeRandomEdits(client.text, 300, 8);
    const typed = client.text.toString();
    server.kill(signal);
    expect(await server.exited).toBe(0);
    expect(server.logs.some((line) => line.includes('every room stored'))).toBe(true);
    // Whatever the server had acknowledged is stored; what it had not yet read when it closed (on a
    // loaded machine the tail of the burst can still be in the client's buffers) the client still
    // holds as unconfirmed, and sends again when it reconnects, as a provider does after a restart.
    const acknowledgedEverything = !client.provider.hasUnsyncedChanges;
    client.destroy();

    const restarted = await servers.start(env);
    if (acknowledgedEverything) expect(await fetchRoomCode(restarted.baseUrl, roomId)).toBe(typed);
    const again = connectClient(restarted.wsUrl, roomId, { document: client.doc });
    cleanups.push(() => again.destroy());
    await again.synced;
    // Its sync answer carries what the server lacks; then the room, live and stored, is what was typed.
    await expect.poll(() => fetchRoomCode(restarted.baseUrl, roomId), { timeout: 10_000 }).toBe(typed);
    await vi.waitFor(() => expect(again.provider.hasUnsyncedChanges).toBe(false), { timeout: 10_000 });
    expect(again.text.toString()).toBe(typed);
  });
});
