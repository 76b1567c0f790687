import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { spawnServer } from '../support/child-server.ts';
import { connectClient } from '../support/providers.ts';
import { createRoom } from '../support/server.ts';

it('warms Yjs up before listening, then serves rooms', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairpad-warm-up-'));
  const server = await spawnServer({ DATA_DIR: dataDir, YJS_WARM_UP: '1' });
  try {
    const warmed = server.logs.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line)] : [])).find((entry) => entry.msg === 'yjs warmed up');
    expect(warmed?.ms).toBeGreaterThan(0);
    const { roomId } = await createRoom(server.baseUrl, { code: 'warm\n' });
    const client = connectClient(server.wsUrl, roomId);
    await client.synced;
    expect(client.text.toString()).toBe('warm\n');
    client.destroy();
  } finally {
    server.kill('SIGKILL');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
