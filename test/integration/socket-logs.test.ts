import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { MessageType } from '../../server/collab/hocuspocus-wire.ts';
import { spawnServer, type ChildServer } from '../support/child-server.ts';
import { createRoom } from '../support/server.ts';

let dataDir: string;
let child: ChildServer;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-logs-'));
  child = await spawnServer({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
});
afterAll(async () => {
  child.kill('SIGTERM');
  await child.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

function frame(address: string, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

describe('what the server writes to stdout and stderr', () => {
  it('is pino JSON, line by line, and names no edit id after a viewer sends a bad frame', async () => {
    const { roomId, viewId } = (await createRoom(child.baseUrl, { code: 'secret link' })) as unknown as { roomId: string; viewId: string };
    const socket = new WebSocket(`${child.wsUrl}/collab`);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    let authenticated = false;
    socket.on('message', (data: Buffer) => {
      // [varString name][Auth][authenticated = 2, ...]
      if (data.includes(Buffer.from(viewId)) && data[viewId.length + 1] === MessageType.Auth) authenticated = true;
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(frame(viewId, (encoder) => {
      encoding.writeVarUint(encoder, MessageType.Auth);
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarString(encoder, '');
    }));
    await vi.waitFor(() => expect(authenticated).toBe(true));
    // An unknown message type: the guard refuses it inside Hocuspocus, which reports the refusal.
    socket.send(frame(viewId, (encoder) => encoding.writeVarUint(encoder, 99)));
    expect(await closed).toBe(4400);
    // Hocuspocus has reported the refusal once the room empties and unloads.
    await vi.waitFor(() => expect(child.logs.some((line) => line.includes('because of exception'))).toBe(true), { timeout: 10_000 });

    for (const line of child.logs) {
      expect(() => JSON.parse(line), line).not.toThrow();
      expect(line).not.toContain(roomId);
    }
  });
});
