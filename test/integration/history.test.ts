import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dialects } from '../support/databases.ts';
import { postRoom } from '../support/files.ts';
import { applyPlayback, getVersion, listHistory, postJson, waitForVersions } from '../support/history.ts';
import { expectError } from '../support/http.ts';
import { connectClient, connectYjsClient } from '../support/providers.ts';
import { createRandom } from '../support/random.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** History rows of a room, read with plain SQL. */
async function countHistoryRows(server: TestServer, roomId: string): Promise<number> {
  const query = 'select (select count(*) from history_versions where room_id = $1) + (select count(*) from history_changes where room_id = $1) as n';
  if (server.config.databaseUrl) {
    const client = new pg.Client({ connectionString: server.config.databaseUrl });
    await client.connect();
    try {
      return Number((await client.query(query, [roomId])).rows[0].n);
    } finally {
      await client.end();
    }
  }
  const database = new SQLite(server.config.sqlitePath, { readonly: true });
  try {
    return (database.prepare(query.replaceAll('$1', '?')).get(roomId, roomId) as { n: number }).n;
  } finally {
    database.close();
  }
}

const METRICS_TOKEN = 'metrics-token-0123456789';

/** `pairpad_history_builds_total` by where the build's room came from. */
async function historyBuilds(server: TestServer): Promise<{ kept: number; stored: number }> {
  const text = await (await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const read = (from: string) => Number(new RegExp(`^pairpad_history_builds_total\\{from="${from}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { kept: read('kept'), stored: read('stored') };
}

async function newRoom(server: TestServer, code = 'def f():\n    return 1\n'): Promise<{ roomId: string; viewId: string }> {
  const response = await postRoom(server.baseUrl, { language: 'python', code });
  expect(response.status).toBe(201);
  return (await response.json()) as { roomId: string; viewId: string };
}

describe.each(dialects)('room history on %s', (dialect) => {
  let server: TestServer;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    server = await startTestServer({ dialect, env: { METRICS_TOKEN } });
  });
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  afterAll(() => server.close());

  it('makes the first version at creation and one per pause in typing, with authors, times and sizes; pages by version id', async () => {
    const { roomId, viewId } = await newRoom(server, 'x = 1\n');
    const first = await listHistory(server.baseUrl, viewId);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ authors: [], chars: 6 });

    const ada = connectClient(server.wsUrl, roomId);
    cleanups.push(() => ada.destroy());
    await ada.synced;
    ada.provider.setAwarenessField('user', { name: 'Ada', color: '#ff0000' });
    ada.text.insert(6, 'y');
    ada.text.insert(7, ' = 2\n');
    const afterFirstPause = await waitForVersions(server.baseUrl, roomId, 2);
    expect(afterFirstPause).toHaveLength(2);
    expect(afterFirstPause[1]).toMatchObject({ authors: [{ name: 'Ada', color: '#ff0000' }], chars: 12 });
    expect(Date.parse(afterFirstPause[1].at)).toBeGreaterThanOrEqual(Date.parse(first[0].at));

    ada.text.delete(0, 6);
    const versions = await waitForVersions(server.baseUrl, roomId, 3);
    expect(versions.map((version) => version.chars)).toEqual([6, 12, 6]);
    expect(Number(versions[2].versionId)).toBeGreaterThan(Number(versions[1].versionId));

    // Each version renders as it was.
    expect((await getVersion(server.baseUrl, viewId, versions[1].versionId)).files).toEqual([{ path: 'main.py', content: 'x = 1\ny = 2\n' }]);
    const text = await fetch(`${server.baseUrl}/api/rooms/${roomId}/history/${versions[0].versionId}`, { headers: { accept: 'text/plain' } });
    expect(text.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await text.text()).toBe('x = 1\n');

    // Paging: the newest `limit` before a version id, oldest first.
    expect((await listHistory(server.baseUrl, roomId, `?before=${versions[2].versionId}&limit=1`)).map((version) => version.versionId)).toEqual([versions[1].versionId]);
    await expectError(await fetch(`${server.baseUrl}/api/rooms/${roomId}/history/999999`), 404, 'not_found');
    await expectError(await fetch(`${server.baseUrl}/api/rooms/${roomId}/history?limit=0`), 400, 'invalid_request');
  });

  it('builds a large room from the document its last build left in the history worker: each version renders and plays back as typed', async () => {
    // Random words: the room's compressed state is past the 16 KiB under which history tasks run inline, without the worker.
    const random = createRandom(17);
    const word = () => Array.from({ length: 2 + Math.floor(random() * 8) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)]).join('');
    const code = Array.from({ length: 1_500 }, () => `${word()} = ${word()}(${word()})`).join('\n');
    const { roomId, viewId } = await newRoom(server, code);
    const client = connectClient(server.wsUrl, roomId);
    cleanups.push(() => client.destroy());
    await client.synced;
    client.provider.setAwarenessField('user', { name: 'Cy', color: '#0a0' });
    const before = await historyBuilds(server);
    const texts = [code];
    for (let burst = 0; burst < 3; burst++) {
      for (let key = 0; key < 6; key++) {
        if (key === 3) client.text.delete(40 * burst, 4);
        client.text.insert(40 * burst + key, `${burst}${key}`);
      }
      await waitForVersions(server.baseUrl, roomId, burst + 2);
      texts.push(client.text.toString());
    }
    const after = await historyBuilds(server);
    // The first build reads the room (its creation's snapshot); the next ones go on from the document it left.
    expect(after.kept - before.kept).toBeGreaterThanOrEqual(1);
    const versions = await listHistory(server.baseUrl, viewId);
    expect(versions).toHaveLength(4);
    for (const [index, version] of versions.entries()) expect((await getVersion(server.baseUrl, viewId, version.versionId)).files[0].content).toBe(texts[index]);
    const playback = await fetch(`${server.baseUrl}/api/rooms/${viewId}/playback?from=${versions[0].versionId}&to=${versions[3].versionId}`).then((r) => r.text());
    expect(applyPlayback(new Map([['main.py', code]]), playback).get('main.py')).toBe(texts[3]);
  });

  it('plays back every keystroke between two versions, and diffs them', async () => {
    const { roomId, viewId } = await newRoom(server, 'a\n');
    const client = connectClient(server.wsUrl, roomId);
    cleanups.push(() => client.destroy());
    await client.synced;
    client.provider.setAwarenessField('user', { name: 'Bo', color: '#00f' });
    for (const char of 'hello') client.text.insert(client.text.length, char);
    client.text.delete(0, 1);
    client.text.insert(0, 'b');
    const versions = await waitForVersions(server.baseUrl, roomId, 2);
    const response = await fetch(`${server.baseUrl}/api/rooms/${viewId}/playback?from=${versions[0].versionId}&to=${versions[1].versionId}`);
    expect(response.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = await response.text();
    const changes = lines.trim().split('\n').map((line) => JSON.parse(line));
    expect(changes.length).toBeGreaterThanOrEqual(7);
    expect(changes[0]).toMatchObject({ author: { name: 'Bo', color: '#00f' }, file: 'main.py', pos: 2, del: 0, ins: 'h' });
    expect(applyPlayback(new Map([['main.py', 'a\n']]), lines).get('main.py')).toBe('b\nhello');
    // Times work as well as version ids.
    // (A time just before the room's creation: times are kept at 100 ms, so the first keystrokes may share its time.)
    const beforeCreation = new Date(Date.parse(versions[0].at) - 1).toISOString();
    const byTime = await fetch(`${server.baseUrl}/api/rooms/${viewId}/playback?from=${encodeURIComponent(beforeCreation)}`).then((r) => r.text());
    expect(applyPlayback(new Map([['main.py', 'a\n']]), byTime).get('main.py')).toBe('b\nhello');

    const diff = await fetch(`${server.baseUrl}/api/rooms/${viewId}/diff?from=${versions[0].versionId}&to=current`);
    expect(diff.headers.get('content-type')).toMatch(/text\/x-diff/);
    expect(await diff.text()).toBe('--- a/main.py\n+++ b/main.py\n@@ -1,1 +1,2 @@\n-a\n+b\n+hello\n\\ No newline at end of file\n');
  });

  it('blames each line on the author of its newest character when two people edit the same line', async () => {
    const { roomId, viewId } = await newRoom(server, 'one\ntwo\n');
    const ada = connectClient(server.wsUrl, roomId);
    const bo = connectYjsClient(server.wsUrl, roomId);
    cleanups.push(() => ada.destroy(), () => bo.destroy());
    await Promise.all([ada.synced, bo.synced]);
    ada.provider.setAwarenessField('user', { name: 'Ada', color: '#f00' });
    bo.provider.awareness.setLocalStateField('user', { name: 'Bo', color: '#0f0' });
    ada.text.insert(3, ' plus');
    await vi.waitFor(() => expect(bo.doc.getText('code').toString()).toBe('one plus\ntwo\n'));
    await new Promise((resolve) => setTimeout(resolve, 250));
    bo.doc.getText('code').insert(8, '!');
    await vi.waitFor(() => expect(ada.text.toString()).toBe('one plus!\ntwo\n'));
    await vi.waitFor(async () => {
      const response = await fetch(`${server.baseUrl}/api/rooms/${viewId}/blame?file=main.py`);
      expect(response.status).toBe(200);
      const blame = (await response.json()) as { file: string; lines: { line: number; author: { name: string }; at: string }[] };
      expect(blame.file).toBe('main.py');
      expect(blame.lines.map((line) => line.author.name)).toEqual(['Bo', '']);
    });
    await expectError(await fetch(`${server.baseUrl}/api/rooms/${viewId}/blame?file=nope.py`), 404, 'not_found');
  });

  it('restores a version as one change that connected clients see, that history records, and that merges with typing at that moment', async () => {
    const { roomId } = await newRoom(server, 'keep\nold\n');
    const ada = connectClient(server.wsUrl, roomId);
    const bo = connectYjsClient(server.wsUrl, roomId);
    cleanups.push(() => ada.destroy(), () => bo.destroy());
    await Promise.all([ada.synced, bo.synced]);
    ada.provider.setAwarenessField('user', { name: 'Ada', color: '#f00' });
    ada.text.insert(9, 'new\n');
    ada.text.delete(5, 4);
    const versions = await waitForVersions(server.baseUrl, roomId, 2);
    await vi.waitFor(() => expect(bo.text.toString()).toBe('keep\nnew\n'));

    // Bo types at the moment of the restore: his change and the restore are concurrent.
    bo.provider.disconnect();
    bo.text.insert(0, '# ');
    const response = await postJson(`${server.baseUrl}/api/rooms/${roomId}/history/${versions[0].versionId}/restore`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { versionId: string; restoredFrom: string };
    expect(body.restoredFrom).toBe(versions[0].versionId);
    bo.provider.connect();
    for (const text of [ada.text, bo.text]) await vi.waitFor(() => expect(text.toString()).toBe('# keep\nold\n'));

    const after = await waitForVersions(server.baseUrl, roomId, 3);
    expect(after.flatMap((version) => version.authors)).toEqual(expect.arrayContaining([{ name: 'REST API', color: '' }]));
    await vi.waitFor(async () => {
      const latest = (await listHistory(server.baseUrl, roomId)).at(-1)!;
      expect((await getVersion(server.baseUrl, roomId, latest.versionId)).files[0].content).toBe('# keep\nold\n');
    }, { timeout: 15_000, interval: 300 });
    // Line 1's newest characters are Bo's (a y-websocket client with no awareness name); line 2 is the restore's.
    const blame = (await (await fetch(`${server.baseUrl}/api/rooms/${roomId}/blame?file=main.py`)).json()) as { lines: { author: { name: string } }[] };
    expect(blame.lines.map((line) => line.author.name)).toEqual(['Anonymous', 'REST API']);
  });

  it('records the person the web client names as the author of a restore, and refuses a malformed one', async () => {
    const { roomId } = await newRoom(server, 'a\n');
    const ada = connectClient(server.wsUrl, roomId);
    cleanups.push(() => ada.destroy());
    await ada.synced;
    ada.text.insert(2, 'b\n');
    const [first] = await waitForVersions(server.baseUrl, roomId, 2);
    const url = `${server.baseUrl}/api/rooms/${roomId}/history/${first!.versionId}/restore`;
    await expectError(await postJson(url, { by: { name: 'Eve', color: 'red' } }), 400, 'invalid_request');
    await expectError(await postJson(url, { by: { name: '', color: '#ff0000' } }), 400, 'invalid_request');
    expect((await postJson(url, { by: { name: 'Cy', color: '#00aa00' } })).status).toBe(200);
    await vi.waitFor(() => expect(ada.text.toString()).toBe('a\n'));
    const after = await waitForVersions(server.baseUrl, roomId, 3);
    expect(after.at(-1)!.authors).toEqual([{ name: 'Cy', color: '#00aa00' }]);
  });

  it('lets a view id read history but not label or restore it', async () => {
    const { roomId, viewId } = await newRoom(server);
    const [version] = await listHistory(server.baseUrl, viewId);
    await expectError(await postJson(`${server.baseUrl}/api/rooms/${viewId}/history`, { label: 'mine' }), 403, 'forbidden');
    await expectError(await postJson(`${server.baseUrl}/api/rooms/${viewId}/history/${version.versionId}/restore`), 403, 'forbidden');
    expect((await getVersion(server.baseUrl, viewId, version.versionId)).files).toHaveLength(1);

    const labelled = await postJson(`${server.baseUrl}/api/rooms/${roomId}/history`, { label: 'before refactor' });
    expect(labelled.status).toBe(201);
    expect(await labelled.json()).toMatchObject({ versionId: version.versionId, label: 'before refactor' });
    const again = await postJson(`${server.baseUrl}/api/rooms/${roomId}/history`, { label: 'again' });
    expect(((await again.json()) as { versionId: string }).versionId).not.toBe(version.versionId);
    expect((await listHistory(server.baseUrl, viewId)).map((listed) => listed.label)).toEqual(['before refactor', 'again']);
    await expectError(await postJson(`${server.baseUrl}/api/rooms/${roomId}/history`, { label: '' }), 400, 'invalid_request');
  });

  it('records REST file writes as the REST API and deletes history with the room', async () => {
    const { roomId } = await newRoom(server, 'a\n');
    const put = await fetch(`${server.baseUrl}/api/rooms/${roomId}/files/lib/x.py`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x = 1\n' });
    expect(put.status).toBe(201);
    const versions = await waitForVersions(server.baseUrl, roomId, 2);
    expect(versions[1]).toMatchObject({ authors: [{ name: 'REST API', color: '' }], chars: 8 });
    const playback = await fetch(`${server.baseUrl}/api/rooms/${roomId}/playback?from=${versions[0].versionId}`).then((r) => r.text());
    expect(JSON.parse(playback.trim())).toMatchObject({ file: 'lib/x.py', pos: 0, del: 0, ins: 'x = 1\n' });

    expect(await server.pairpad.store.deleteRooms([roomId])).toEqual([roomId]);
    expect(await countHistoryRows(server, roomId)).toBe(0);
  });
});
