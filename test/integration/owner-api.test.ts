import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../server/storage/database.ts';
import { dialects } from '../support/databases.ts';
import { expectError } from '../support/http.ts';
import { restartTestServer, startTestServer, type TestServer } from '../support/server.ts';

/** The owner's REST actions (issue 18), tokens off: the owner key as the bearer. */
describe.each(dialects)('room owner over REST (%s)', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect });
  });
  afterAll(() => server.close());

  const call = (method: string, path: string, options: { key?: string; json?: object; text?: string; type?: string } = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...(options.json ? { 'content-type': 'application/json' } : {}),
        ...(options.text !== undefined ? { 'content-type': options.type ?? 'text/plain' } : {}),
      },
      body: options.json ? JSON.stringify(options.json) : options.text,
    });

  const newRoom = async (body: object = { code: 'print(1)\n', title: 'Interview' }) => {
    const response = await call('POST', '/api/rooms', { json: body });
    expect(response.status).toBe(201);
    return (await response.json()) as { roomId: string; viewId: string; ownerKey: string; links: { edit: string; view: string; owner: string } };
  };

  it('answers a new room with its owner key and owner link, and stores only the hash', async () => {
    const room = await newRoom();
    expect(room.ownerKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(room.links.owner).toBe(`${server.baseUrl}/r/${room.roomId}#owner=${room.ownerKey}`);
    const row = await server.pairpad.store.findRoomAccess(room.roomId);
    expect(row?.ownerKeyHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row?.ownerKeyHash).not.toContain(room.ownerKey);
    // Shown once: reading the room never gives the key again.
    const read = await (await call('GET', `/api/rooms/${room.roomId}`)).text();
    expect(read).not.toContain(room.ownerKey);
    expect(JSON.parse(read)).toMatchObject({ hasOwner: true, locked: false });
  });

  it('are in the OpenAPI document', async () => {
    const document = (await (await call('GET', '/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths['/api/rooms/{roomId}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    for (const path of ['/api/rooms/{roomId}/rotate', '/api/rooms/{roomId}/participants/{clientId}/remove', '/api/rooms/{roomId}/notes']) expect(document.paths[path]).toBeDefined();
  });

  it('refuses every owner action to anyone without the key (403) and to a view id (403), 404 for an unknown room', async () => {
    const room = await newRoom();
    const other = await newRoom();
    const attempts: [string, string, object?][] = [
      ['PATCH', `/api/rooms/${room.roomId}`, { locked: true }],
      ['DELETE', `/api/rooms/${room.roomId}`],
      ['POST', `/api/rooms/${room.roomId}/rotate`],
      ['POST', `/api/rooms/${room.roomId}/participants/123/remove`],
      ['GET', `/api/rooms/${room.roomId}/notes`],
    ];
    for (const [method, path, json] of attempts) {
      for (const key of [undefined, other.ownerKey, 'x'.repeat(22)]) {
        await expectError(await call(method, path, { key, json }), 403, 'forbidden');
      }
      await expectError(await call(method, path.replace(room.roomId, room.viewId), { key: room.ownerKey, json }), 403, 'forbidden');
      await expectError(await call(method, path.replace(room.roomId, 'NoSuchRoom0000000000000'), { key: room.ownerKey, json }), 404, 'room_not_found');
    }
    await expectError(await call('PUT', `/api/rooms/${room.roomId}/notes`, { key: other.ownerKey, text: 'x' }), 403, 'forbidden');
    // Nothing happened.
    expect(await (await call('GET', `/api/rooms/${room.roomId}`)).json()).toMatchObject({ locked: false, roomId: room.roomId });
  });

  it('PATCH sets locked, maxEditors, title and language, validated', async () => {
    const room = await newRoom();
    const response = await call('PATCH', `/api/rooms/${room.roomId}`, { key: room.ownerKey, json: { locked: true, maxEditors: 3, title: 'Locked', language: 'go' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ roomId: room.roomId, locked: true, maxEditors: 3, title: 'Locked', language: 'go' });
    expect(await (await call('GET', `/api/rooms/${room.viewId}`)).json()).toMatchObject({ locked: true, maxEditors: 3, title: 'Locked' });
    const unlocked = await (await call('PATCH', `/api/rooms/${room.roomId}`, { key: room.ownerKey, json: { locked: false, maxEditors: null } })).json() as any;
    expect(unlocked.locked).toBe(false);
    expect(unlocked.maxEditors).toBeUndefined();
    for (const body of [{ maxEditors: 0 }, { maxEditors: 1.5 }, { locked: 'yes' }, { language: 'cobol' }, { owner: true }]) {
      await expectError(await call('PATCH', `/api/rooms/${room.roomId}`, { key: room.ownerKey, json: body }), 400, 'invalid_request');
    }
  });

  it('PATCH survives a restart: the settings are stored with the room', async () => {
    const room = await newRoom();
    await call('PATCH', `/api/rooms/${room.roomId}`, { key: room.ownerKey, json: { locked: true, maxEditors: 2 } });
    await server.stop();
    server = await restartTestServer(server);
    expect(await (await call('GET', `/api/rooms/${room.roomId}`)).json()).toMatchObject({ locked: true, maxEditors: 2 });
  });

  it('keeps private notes: text only for the owner, at most 100 KB, never in the room or its code', async () => {
    const room = await newRoom();
    const notesPath = `/api/rooms/${room.roomId}/notes`;
    const empty = await call('GET', notesPath, { key: room.ownerKey });
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(empty.headers.get('cache-control')).toBe('no-store');
    expect(await empty.text()).toBe('');
    const secret = 'Candidate struggled with recursion — NOTES-SECRET-7731 <b>not html</b>';
    expect((await call('PUT', notesPath, { key: room.ownerKey, text: secret })).status).toBe(204);
    expect(await (await call('GET', notesPath, { key: room.ownerKey })).text()).toBe(secret);
    for (const path of [`/api/rooms/${room.roomId}`, `/api/rooms/${room.viewId}`, `/api/rooms/${room.roomId}/code`, `/api/rooms/${room.roomId}/files`]) {
      expect(await (await call('GET', path)).text()).not.toContain('NOTES-SECRET-7731');
    }
    await expectError(await call('PUT', notesPath, { key: room.ownerKey, text: 'x'.repeat(100 * 1024 + 1) }), 413, 'payload_too_large');
    await expectError(await call('PUT', notesPath, { key: room.ownerKey, text: '{}', type: 'application/json' }), 415, 'unsupported_media_type');
    expect((await call('PUT', notesPath, { key: room.ownerKey, text: 'é'.repeat(50 * 1024) })).status).toBe(204);
    expect(await (await call('GET', notesPath, { key: room.ownerKey })).text()).toBe('é'.repeat(50 * 1024));
  });

  it('DELETE removes the room and every row of it; its ids answer 404 after', async () => {
    const room = await newRoom({ files: [{ path: 'main.py', content: 'print(1)\n' }, { path: 'lib/util.py', content: 'x = 1\n' }] });
    await call('PUT', `/api/rooms/${room.roomId}/notes`, { key: room.ownerKey, text: 'notes' });
    const response = await call('DELETE', `/api/rooms/${room.roomId}`, { key: room.ownerKey });
    expect(response.status).toBe(204);
    await expectError(await call('GET', `/api/rooms/${room.roomId}`), 404, 'room_not_found');
    await expectError(await call('GET', `/api/rooms/${room.viewId}`), 404, 'room_not_found');
    await expectError(await call('GET', `/api/rooms/${room.roomId}/notes`, { key: room.ownerKey }), 404, 'room_not_found');
    // Every row of it, in every table.
    const storage = openStorage({ databaseUrl: server.config.databaseUrl, sqlitePath: server.config.sqlitePath });
    try {
      for (const table of ['room_updates', 'room_files', 'client_keys', 'runs', 'room_notes'] as const) {
        const rows = await storage.db.selectFrom(table).select('room_id').where('room_id', '=', room.roomId).execute();
        expect(rows, table).toEqual([]);
      }
      expect(await storage.db.selectFrom('rooms').select('id').where('id', '=', room.roomId).execute()).toEqual([]);
    } finally {
      await storage.db.destroy();
    }
  });

  it('rotate gives new edit and view ids and links; the old ones answer 404, the owner key stays valid', async () => {
    const room = await newRoom();
    const response = await call('POST', `/api/rooms/${room.roomId}/rotate`, { key: room.ownerKey });
    expect(response.status).toBe(200);
    const rotated = await response.json() as any;
    expect(rotated.roomId).not.toBe(room.roomId);
    expect(rotated.viewId).not.toBe(room.viewId);
    expect(rotated.links).toMatchObject({ edit: `${server.baseUrl}/r/${rotated.roomId}`, view: `${server.baseUrl}/v/${rotated.viewId}` });
    expect(rotated).toMatchObject({ code: 'print(1)\n', title: 'Interview', access: 'edit' });
    await expectError(await call('GET', `/api/rooms/${room.roomId}`), 404, 'room_not_found');
    await expectError(await call('GET', `/api/rooms/${room.viewId}`), 404, 'room_not_found');
    await expectError(await call('GET', `/api/rooms/${room.roomId}/code`), 404, 'room_not_found');
    expect(await (await call('GET', `/api/rooms/${rotated.viewId}`)).json()).toMatchObject({ access: 'view', code: 'print(1)\n' });
    // The owner key works on the new id; rotating again works too.
    expect((await call('PATCH', `/api/rooms/${rotated.roomId}`, { key: room.ownerKey, json: { title: 'Again' } })).status).toBe(200);
    await expectError(await call('PATCH', `/api/rooms/${room.roomId}`, { key: room.ownerKey, json: { title: 'Old' } }), 404, 'room_not_found');
    const twice = await (await call('POST', `/api/rooms/${rotated.roomId}/rotate`, { key: room.ownerKey })).json() as any;
    expect(twice.title).toBe('Again');
    await expectError(await call('GET', `/api/rooms/${rotated.roomId}`), 404, 'room_not_found');
  });
});
