import type { onLoadDocumentPayload } from '@hocuspocus/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { dialects } from '../support/databases.ts';
import { connectClient, createRandom, makeRandomEdit, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, restartTestServer, startTestServer, type TestServer } from '../support/server.ts';

/**
 * A large room loads in chunks split by the fold worker, applied a few per
 * turn of the event loop: the loaded room must equal the stored one, no client
 * may see it half loaded, and every edit survives further folds and restarts.
 */
describe.each(dialects)('loading large rooms on %s', (dialect) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function track<T extends { destroy(): void }>(client: T): T {
    cleanups.push(() => client.destroy());
    return client;
  }

  async function typeConcurrently(clients: TestClient[], edits: number, seed: number): Promise<void> {
    const random = createRandom(seed);
    for (let i = 0; i < edits; i++) {
      makeRandomEdit(clients[i % clients.length].text, random);
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await vi.waitFor(() => expect(new Set(clients.map((client) => client.text.toString())).size).toBe(1), { timeout: 20_000 });
    await vi.waitFor(() => expect(clients.every((client) => !client.provider.hasUnsyncedChanges)).toBe(true), { timeout: 20_000 });
  }

  /** The room as storage holds it (snapshot, then log rows), applied in one piece. */
  async function storedDocument(server: TestServer, roomId: string): Promise<Y.Doc> {
    const stored = (await server.pairpad.store.loadRoomState(roomId))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.state);
    for (const row of stored.updates) Y.applyUpdate(doc, row.update);
    return doc;
  }

  /** Restarts on the same storage; records the lengths of the code the loading document went through, sampled between turns. */
  async function restartWatchingLoads(server: TestServer): Promise<{ server: TestServer; lengthsSeen: number[]; chunkCounts: number[] }> {
    await server.stop();
    const restarted = await restartTestServer(server);
    cleanups.push(() => restarted.stop());
    const lengthsSeen: number[] = [];
    const chunkCounts: number[] = [];
    const { persistence, replicas } = restarted.pairpad.collab;
    const split = replicas.split.bind(replicas);
    replicas.split = async (state, structsPerChunk) => {
      const chunks = await split(state, structsPerChunk);
      chunkCounts.push(chunks.length);
      return chunks;
    };
    const load = persistence.onLoadDocument.bind(persistence);
    persistence.onLoadDocument = async (payload: onLoadDocumentPayload) => {
      const text = payload.document.getText(CODE_TEXT);
      const sampler = setInterval(() => lengthsSeen.push(text.length), 0);
      try {
        await load(payload);
      } finally {
        clearInterval(sampler);
      }
    };
    return { server: restarted, lengthsSeen, chunkCounts };
  }

  it('loads a large room chunk by chunk to the same document, shows it to clients only whole, and keeps every edit', async () => {
    const server = await startTestServer({ dialect, overrides: { storeDebounceMs: 100, storeMaxDebounceMs: 300, foldWorkerMinBytes: 4 * 1024, loadSliceMs: 0 } });
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : server.close()));
    const { roomId } = await createRoom(server.baseUrl, { code: 'let x = 1;\n'.repeat(1_000) });
    const alice = track(connectClient(server.wsUrl, roomId));
    const bob = track(connectClient(server.wsUrl, roomId));
    await Promise.all([alice.synced, bob.synced]);
    // Thousands of structs from two clients, with deletions: many chunks.
    await typeConcurrently([alice, bob], 3_000, 7);
    const expected = alice.text.toString();
    alice.destroy();
    bob.destroy();
    stopped = true;

    const first = await restartWatchingLoads(server);
    const carol = track(connectClient(first.server.wsUrl, roomId));
    await carol.synced;
    // The first thing a client sees is the whole room (the stored state, sent while the room loads).
    expect(carol.text.toString()).toBe(expected);
    const { hocuspocus } = first.server.pairpad.collab;
    await vi.waitFor(() => expect(hocuspocus.documents.has(roomId)).toBe(true), { timeout: 30_000 });
    expect(first.chunkCounts.length).toBe(1);
    expect(first.chunkCounts[0]).toBeGreaterThan(5);
    // The load took turns of the event loop, and the document was part-loaded in between.
    expect(first.lengthsSeen.some((length) => length > 0 && length < expected.length)).toBe(true);
    const loaded = hocuspocus.documents.get(roomId)!;
    const direct = await storedDocument(first.server, roomId);
    expect(Y.encodeStateAsUpdate(loaded)).toEqual(Y.encodeStateAsUpdate(direct));

    // Editing goes on after the chunked load, and survives folds and another restart.
    const dave = track(connectClient(first.server.wsUrl, roomId));
    await dave.synced;
    await typeConcurrently([carol, dave], 1_000, 8);
    const edited = carol.text.toString();
    carol.destroy();
    dave.destroy();
    const second = await restartWatchingLoads(first.server);
    expect(await fetchRoomCode(second.server.baseUrl, roomId)).toBe(edited);
    const erin = track(connectClient(second.server.wsUrl, roomId));
    await erin.synced;
    expect(erin.text.toString()).toBe(edited);
  }, 180_000);
});
