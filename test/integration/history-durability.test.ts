import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRestartableServers, type ChildServer } from '../support/child-server.ts';
import { dialects } from '../support/databases.ts';
import { applyPlayback, getVersion, listHistory, waitForVersions } from '../support/history.ts';
import { connectClient, typeRandomEdits } from '../support/providers.ts';
import { createRoom } from '../support/server.ts';

describe.each(dialects)('history across restarts and crashes on %s', (dialect) => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const servers = createRestartableServers(dialect, cleanups, 'history');

  /** Types `edits` random keystrokes as Ada, and waits until the server acknowledged them all. */
  async function typeAcknowledged(server: ChildServer, roomId: string, edits: number, seed: number): Promise<string> {
    const client = connectClient(server.wsUrl, roomId);
    cleanups.push(() => client.destroy());
    await client.synced;
    client.provider.setAwarenessField('user', { name: 'Ada', color: '#f00' });
    await typeRandomEdits(client.text, edits, seed);
    await vi.waitFor(() => expect(client.provider.hasUnsyncedChanges).toBe(false), { timeout: 10_000 });
    const typed = client.text.toString();
    client.destroy();
    return typed;
  }

  /** Checks the history of a room ends in `typed`, and that playback from the first version rebuilds it. */
  async function expectHistoryHolds(server: ChildServer, roomId: string, initial: string, typed: string): Promise<void> {
    await vi.waitFor(
      async () => {
        const versions = await listHistory(server.baseUrl, roomId);
        expect(versions.length).toBeGreaterThanOrEqual(2);
        expect((await getVersion(server.baseUrl, roomId, versions.at(-1)!.versionId)).files[0].content).toBe(typed);
      },
      { timeout: 20_000, interval: 300 },
    );
    const [first] = await listHistory(server.baseUrl, roomId);
    const lines = await fetch(`${server.baseUrl}/api/rooms/${roomId}/playback?from=${first.versionId}`).then((response) => response.text());
    expect(applyPlayback(new Map([['main.py', initial]]), lines).get('main.py')).toBe(typed);
    expect(lines).toContain('"author":{"name":"Ada","color":"#f00"}');
  }

  it('keeps the history of every acknowledged edit when the server is killed with SIGKILL right after', async () => {
    const env = await servers.storageEnv();
    const server = await servers.start(env);
    const { roomId } = await createRoom(server.baseUrl, { language: 'python', code: 'start\n' });
    const typed = await typeAcknowledged(server, roomId, 200, 3);
    server.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');

    const restarted = await servers.start(env);
    await expectHistoryHolds(restarted, roomId, 'start\n', typed);
  });

  it('keeps history across a graceful restart, and goes on adding versions after it', async () => {
    const env = await servers.storageEnv();
    const server = await servers.start(env);
    const { roomId } = await createRoom(server.baseUrl, { language: 'python', code: 'start\n' });
    const typed = await typeAcknowledged(server, roomId, 100, 5);
    await waitForVersions(server.baseUrl, roomId, 2);
    server.kill('SIGTERM');
    await server.exited;

    const restarted = await servers.start(env);
    await expectHistoryHolds(restarted, roomId, 'start\n', typed);
    const before = (await listHistory(restarted.baseUrl, roomId)).length;
    const more = await typeAcknowledged(restarted, roomId, 50, 9);
    await waitForVersions(restarted.baseUrl, roomId, before + 1);
    await expectHistoryHolds(restarted, roomId, 'start\n', more);
  });
});
