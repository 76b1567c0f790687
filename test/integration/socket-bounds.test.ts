import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, fetchRoomCode, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const clients: TestClient[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

function frame(name: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, name);
  write(encoder);
  return encoding.toUint8Array(encoder);
}
const authFrame = (name: string) =>
  frame(name, (encoder) => {
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarString(encoder, '');
  });
const syncStep1Frame = (name: string) =>
  frame(name, (encoder) => {
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint8Array(encoder, new Uint8Array([0]));
  });
const unknownName = (i: number) => `unknownRoom${String(i).padStart(11, '0')}`;

function sendFrames(frames: Uint8Array[]): Promise<{ code: number; reason: string; received: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.wsUrl}/collab`);
    let received = 0;
    socket.on('open', () => frames.forEach((data) => socket.send(data)));
    socket.on('message', () => received++);
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString(), received }));
    socket.on('error', reject);
  });
}

async function expectServing(roomId: string, writer: TestClient) {
  writer.text.insert(writer.text.length, 'ok\n');
  await vi.waitFor(async () => expect(await fetchRoomCode(server.baseUrl, roomId)).toBe('intact\nok\n'));
  expect(server.pairpad.collab.hocuspocus.getDocumentsCount()).toBe(1);
}

describe('what one /collab socket can make the server hold', () => {
  it('closes with 4429 at the 17th document name on one socket, before any lookup answers', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'intact\n' });
    const writer = connectClient(server.wsUrl, roomId);
    clients.push(writer);
    await writer.synced;
    const frames = Array.from({ length: 17 }, (_, i) => syncStep1Frame(unknownName(i)));
    expect(await sendFrames(frames)).toMatchObject({ code: 4429, reason: 'too many documents on one socket' });
    await expectServing(roomId, writer);
  });

  it('closes with 4429 after 8 refused names, each refusal answered first', async () => {
    const frames = Array.from({ length: 9 }, (_, i) => authFrame(unknownName(i)));
    const result = await sendFrames(frames);
    expect(result).toMatchObject({ code: 4429, reason: 'too many refused documents on one socket' });
    expect(result.received).toBe(9); // nine "room not found" answers, then the close
    // A malformed name (here 100,000 characters) counts the same, and is not kept whole.
    const long = Array.from({ length: 9 }, (_, i) => authFrame(`${'x'.repeat(100_000)}${i}`));
    expect(await sendFrames(long)).toMatchObject({ code: 4429, reason: 'too many refused documents on one socket' });
  });

  it('closes with 4429 when a socket keeps authenticating', async () => {
    const { roomId } = await createRoom(server.baseUrl);
    const frames = Array.from({ length: 60 }, () => authFrame(roomId));
    expect(await sendFrames(frames)).toMatchObject({ code: 4429, reason: 'too many authentication attempts' });
  });

  it('closes with 4429 past 4 MiB sent for a document that never authenticated', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'intact\n' });
    const writer = connectClient(server.wsUrl, roomId);
    clients.push(writer);
    await writer.synced;
    const big = frame(roomId, (encoder) => {
      encoding.writeVarUint(encoder, 1); // awareness, held until the document is authenticated
      encoding.writeVarUint8Array(encoder, new Uint8Array(900_000));
    });
    expect(await sendFrames(Array.from({ length: 6 }, () => big))).toMatchObject({ code: 4429, reason: 'too much data before the document opened' });
    await expectServing(roomId, writer);
  });

  it('lets one socket carry several rooms', async () => {
    const rooms = await Promise.all([0, 1, 2].map(() => createRoom(server.baseUrl, { code: 'shared socket\n' })));
    const first = connectClient(server.wsUrl, rooms[0].roomId);
    clients.push(first);
    await first.synced;
    const { HocuspocusProvider } = await import('@hocuspocus/provider');
    const others = rooms.slice(1).map((room) => new HocuspocusProvider({ websocketProvider: first.socket, name: room.roomId }));
    others.forEach((provider) => provider.attach());
    await vi.waitFor(() => expect(others.map((provider) => provider.document.getText('code').toString())).toEqual(['shared socket\n', 'shared socket\n']));
    others.forEach((provider) => provider.destroy());
  });
});
