import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { THIN_BATCH_VERSIONS } from '../../server/history/history-thinning.ts';
import { dialects } from '../support/databases.ts';
import { postRoom } from '../support/files.ts';
import { applyPlayback, getVersion, listHistory, type ListedVersion } from '../support/history.ts';
import { connectClient, type TestClient } from '../support/providers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

interface PlaybackChange {
  at: string;
  author: { name: string; color: string };
  file: string;
  pos: number;
  del: number;
  ins: string;
}

const playbackOf = async (server: TestServer, roomId: string, from: string) => {
  const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/playback?from=${from}`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, changes: text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as PlaybackChange) };
};

const blameOf = async (server: TestServer, roomId: string) => {
  const response = await fetch(`${server.baseUrl}/api/rooms/${roomId}/blame?file=main.py`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { lines: { line: number; author: { name: string }; at: string }[] }).lines;
};

describe.each(dialects)('HISTORY_RETENTION_DAYS on %s', (dialect) => {
  let server: TestServer;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startTestServer({ dialect, overrides: { historyRetentionDays: 30 } });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
    server.pairpad.collab.history.now = Date.now;
    server.pairpad.historyThinning.batchVersions = THIN_BATCH_VERSIONS;
  });
  afterAll(() => server.close());

  /** Types `lines` into the room one keystroke a transaction as `name`, with the recorder's clock from `at`; then a pause closes the version. */
  const typeVersion = async (roomId: string, name: string, lines: string[], at: number, versions: number): Promise<ListedVersion[]> => {
    const history = server.pairpad.collab.history;
    let clock = at;
    history.now = () => clock;
    const client = connectClient(server.wsUrl, roomId);
    clients.push(client);
    await client.synced;
    client.provider.setAwarenessField('user', { name, color: '#123456' });
    await vi.waitFor(() => expect(server.pairpad.collab.hocuspocus.documents.get(roomId)?.awareness.getStates().size).toBeGreaterThan(0));
    for (const line of lines) {
      for (const char of line) {
        client.text.insert(client.text.length, char);
        clock += 150;
      }
    }
    await vi.waitFor(() => expect(client.provider.hasUnsyncedChanges).toBe(false));
    // The pause: the version closes at the builder's next look.
    clock += 10_000;
    let listed: ListedVersion[] = [];
    await vi.waitFor(async () => {
      listed = await listHistory(server.baseUrl, roomId);
      expect(listed).toHaveLength(versions);
    }, { timeout: 15_000, interval: 200 });
    client.destroy();
    return listed;
  };

  it('thins keystrokes older than the retention into one change per version; versions, renders, recent detail and the current text stay', async () => {
    const { roomId } = (await (await postRoom(server.baseUrl, { language: 'python', code: 'a = 0\n' })).json()) as { roomId: string };
    const now = Date.now();
    await typeVersion(roomId, 'Ada', ['b = 1\n'], now - 40 * DAY_MS, 2);
    await typeVersion(roomId, 'Bob', ['c = 2\n'], now - 35 * DAY_MS, 3);
    const versions = await typeVersion(roomId, 'Cy', ['d = 3\n'], now - 2 * DAY_MS, 4);
    const current = 'a = 0\nb = 1\nc = 2\nd = 3\n';
    const before = await playbackOf(server, roomId, versions[0].versionId);
    const renders = await Promise.all(versions.map((version) => getVersion(server.baseUrl, roomId, version.versionId)));
    expect(before.changes.filter((change) => change.author.name === 'Ada')).toHaveLength(6);

    // Nothing is older than 30 days as of 40 days ago; then, as of now, Ada's and Bob's versions are.
    expect(await server.pairpad.historyThinning.thin(now - 40 * DAY_MS)).toBe(0);
    // One version per batch: the pass goes on from batch to batch.
    server.pairpad.historyThinning.batchVersions = 1;
    expect(await server.pairpad.historyThinning.thin(now)).toBe(2);
    expect(await server.pairpad.historyThinning.thin(now)).toBe(0);

    // Versions stay, and render as before.
    expect(await listHistory(server.baseUrl, roomId)).toEqual(versions);
    expect(await Promise.all(versions.map((version) => getVersion(server.baseUrl, roomId, version.versionId)))).toEqual(renders);
    expect((await getVersion(server.baseUrl, roomId, versions[3].versionId)).files).toEqual([{ path: 'main.py', content: current }]);

    // Playback steps version by version across the thinned time, keystroke by keystroke after it, and still ends at the current text.
    const after = await playbackOf(server, roomId, versions[0].versionId);
    expect(applyPlayback(new Map([['main.py', 'a = 0\n']]), after.text).get('main.py')).toBe(current);
    const ada = after.changes.filter((change) => change.author.name === 'Ada');
    const bob = after.changes.filter((change) => change.author.name === 'Bob');
    expect(ada).toEqual([{ at: versions[1].at, author: { name: 'Ada', color: '#123456' }, file: 'main.py', pos: 6, del: 0, ins: 'b = 1\n' }]);
    expect(bob).toEqual([{ at: versions[2].at, author: { name: 'Bob', color: '#123456' }, file: 'main.py', pos: 12, del: 0, ins: 'c = 2\n' }]);
    // Recent detail is untouched.
    const recent = (changes: PlaybackChange[]) => changes.filter((change) => change.author.name === 'Cy');
    expect(recent(after.changes)).toHaveLength(6);
    expect(recent(after.changes)).toEqual(recent(before.changes));

    // Blame names each thinned version's author and time for its characters.
    const blame = await blameOf(server, roomId);
    expect(blame.map((line) => line.author.name)).toEqual(['', 'Ada', 'Bob', 'Cy']);
    expect(blame[1].at).toBe(versions[1].at);
    expect(blame[2].at).toBe(versions[2].at);
  });

  it('thins nothing with the default of 0 days', async () => {
    const keeping = await startTestServer({ dialect });
    try {
      expect(keeping.config.historyRetentionDays).toBe(0);
      const { roomId } = (await (await postRoom(keeping.baseUrl, { language: 'python', code: 'a = 0\n' })).json()) as { roomId: string };
      const history = keeping.pairpad.collab.history;
      history.now = () => Date.now() - 400 * DAY_MS;
      const client = connectClient(keeping.wsUrl, roomId);
      clients.push(client);
      await client.synced;
      for (const char of 'b = 1\n') client.text.insert(client.text.length, char);
      await vi.waitFor(() => expect(client.provider.hasUnsyncedChanges).toBe(false));
      history.now = Date.now;
      let versions: ListedVersion[] = [];
      await vi.waitFor(async () => {
        versions = await listHistory(keeping.baseUrl, roomId);
        expect(versions).toHaveLength(2);
      }, { timeout: 15_000, interval: 200 });
      const before = await playbackOf(keeping, roomId, versions[0].versionId);
      expect(before.changes).toHaveLength(6);
      expect(await keeping.pairpad.historyThinning.thin(Date.now())).toBe(0);
      expect((await playbackOf(keeping, roomId, versions[0].versionId)).text).toBe(before.text);
    } finally {
      await keeping.close();
    }
  });
});
