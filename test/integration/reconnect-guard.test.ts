import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { HocuspocusProvider as HocuspocusProviderV3, HocuspocusProviderWebsocket as HocuspocusProviderWebsocketV3 } from 'hocuspocus-provider-v3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';
import { connectClient, createRandom, makeRandomEdit } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer } from '../support/server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

/**
 * A legitimate client is never refused: stock providers whose connection
 * drops again and again while they type (through a TCP hop the test cuts)
 * send updates that overtake their own sync answer; every edit arrives,
 * nothing diverges, and no socket is closed with 4400.
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const providers = {
  '@hocuspocus/provider 4': { Provider: HocuspocusProvider, Socket: HocuspocusProviderWebsocket },
  '@hocuspocus/provider 3': { Provider: HocuspocusProviderV3, Socket: HocuspocusProviderWebsocketV3 },
} as const;

/**
 * `ws` as the providers' WebSocket. Provider 3 closes a socket still
 * connecting after removing its listeners; `ws` then emits an 'error' no one
 * hears, which Node throws (a browser's WebSocket stays silent).
 */
class QuietWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const CYCLES = 25;

describe.each(Object.keys(providers) as (keyof typeof providers)[])('%s reconnecting while typing', (name) => {
  it('gets every edit into the room, and is never closed with 4400', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const port = Number(new URL(server.baseUrl).port);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    cleanups.push(() => proxy.close());
    const { roomId } = await createRoom(server.baseUrl, { code: 'start\n' });

    const { Provider, Socket } = providers[name];
    const doc = new Y.Doc();
    const socket = new Socket({ url: `ws://127.0.0.1:${proxy.port}/collab`, WebSocketPolyfill: QuietWebSocket, delay: 10, minDelay: 10, maxDelay: 50 } as never);
    const closes: number[] = [];
    socket.on('close', ({ event }: { event: { code: number } }) => closes.push(event.code));
    const provider = new Provider({ websocketProvider: socket, name: roomId, document: doc } as never);
    (provider as { attach?: () => void }).attach?.();
    cleanups.push(() => {
      provider.destroy();
      socket.destroy();
    });
    const observer = connectClient(server.wsUrl, roomId);
    cleanups.push(() => observer.destroy());
    await observer.synced;

    const text = doc.getText(CODE_TEXT);
    const random = createRandom(7);
    await vi.waitFor(() => expect(text.toString()).toBe('start\n'));
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      for (let i = 0; i < 5; i++) {
        makeRandomEdit(text, random);
        await nextTurn();
      }
      await proxy.cut();
      // Offline typing: it reaches the server in the sync after the reconnect...
      for (let i = 0; i < 5; i++) makeRandomEdit(text, random);
      await proxy.restore();
      // ...and typing during the reconnect goes out as it happens, possibly ahead of that sync.
      const reconnected = closes.length;
      while (closes.length === reconnected && !(provider as { isSynced?: boolean }).isSynced) {
        makeRandomEdit(text, random);
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (provider.hasUnsyncedChanges === false && (provider as { isSynced?: boolean }).isSynced) break;
      }
      for (let i = 0; i < 10; i++) {
        makeRandomEdit(text, random);
        await nextTurn();
      }
    }
    await vi.waitFor(() => expect(observer.text.toString()).toBe(text.toString()), { timeout: 20_000 });
    // Every update it sent was acknowledged: none was held and then lost.
    await vi.waitFor(() => expect(provider.hasUnsyncedChanges).toBe(false), { timeout: 20_000 });
    expect(await fetchRoomCode(server.baseUrl, roomId)).toBe(text.toString());
    expect(closes).not.toContain(4400);
    const document = server.pairpad.collab.hocuspocus.documents.get(roomId)!;
    expect(document.store.pendingStructs).toBeNull();
    expect(document.store.pendingDs).toBeNull();
  });
});
