import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, CloseReason, FILES_MAP, FOLDERS_MAP, MAX_FILES, MAX_FOLDERS } from '../../shared/protocol.ts';
import { createFolder, filesMap, findFile, readFileTree, writeFile } from '../../shared/room-files.ts';
import { findLayoutProblem } from '../../shared/room-layout.ts';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';
import { updateOn } from '../support/yjs-updates.ts';

/**
 * Hostile raw updates against a multi-file room (issue 15): each is refused
 * with its close code, the room stays byte for byte as it was, and the
 * people working in it notice nothing.
 */

const MAX_BYTES = 256 * 1024;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ overrides: { maxDocumentChars: MAX_BYTES } });
});
afterAll(() => server.close());
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function updateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** Sends one update on a raw `/yjs` socket and resolves with how the server closed it. */
async function sendRaw(roomId: string, update: Uint8Array): Promise<{ code: number; reason: string }> {
  const socket = new WebSocket(`${server.wsUrl}/yjs/${roomId}`);
  cleanups.push(() => socket.terminate());
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(updateFrame(update));
  return closed;
}

function roomDoc(roomId: string): Y.Doc {
  return server.pairpad.collab.hocuspocus.documents.get(roomId)!;
}

/** An attacker's copy of the room, under a client id of its own. */
function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

const MALFORMED = { code: CloseCode.malformedMessage, reason: CloseReason.malformedMessage };
const TOO_MANY = { code: CloseCode.documentTooLarge, reason: CloseReason.tooManyFiles };
const TOO_LARGE = { code: CloseCode.documentTooLarge, reason: CloseReason.documentTooLarge };

function newRecord(doc: Y.Doc, id: string, fields: Record<string, unknown>): void {
  const record = new Y.Map<unknown>();
  filesMap(doc).set(id, record as never);
  for (const [key, value] of Object.entries(fields)) record.set(key, value);
}

describe('hostile updates against a multi-file room', () => {
  let alice: TestClient;
  let bob: YjsTestClient;
  let roomId: string;

  beforeAll(async () => {
    ({ roomId } = await createRoom(server.baseUrl, { code: 'print(1)\n', language: 'python' }));
    alice = connectClient(server.wsUrl, roomId);
    bob = connectYjsClient(server.wsUrl, roomId);
    await Promise.all([alice.synced, bob.synced]);
    writeFile(alice.doc, 'src/util.py', 'def f():\n    pass\n');
    createFolder(alice.doc, 'empty');
    await vi.waitFor(() => expect(findFile(bob.doc, 'src/util.py')?.text.toString()).toBe('def f():\n    pass\n'));
  });
  afterAll(() => {
    alice.destroy();
    bob.destroy();
  });

  const cases: [string, (doc: Y.Doc) => void, { code: number; reason: string }][] = [
    ['an invalid path', (doc) => newRecord(doc, 'bad1', { path: 'a\u0000b.py', text: new Y.Text('x') }), MALFORMED],
    ['a path with ..', (doc) => newRecord(doc, 'bad2', { path: '../../etc/passwd', text: new Y.Text('x') }), MALFORMED],
    ['a rename to an absolute path', (doc) => findFileRecord(doc, 'src/util.py').set('path', '/etc/passwd'), MALFORMED],
    ['formatting attributes in a file', (doc) => findFile(doc, 'src/util.py')!.text.format(0, 3, { bold: true }), MALFORMED],
    ['a Y.Array in files', (doc) => doc.getMap(FILES_MAP).set('arr', new Y.Array()), MALFORMED],
    ['a record under a key that is not an id', (doc) => newRecord(doc, 'src/evil.py', { path: 'evil.py', text: new Y.Text('x') }), MALFORMED],
    // (A room created with `code` only has no entry record yet.)
    ['text in the entry record', (doc) => newRecord(doc, 'code', { path: 'main.py', text: new Y.Text('hijack') }), MALFORMED],
    ['a second text on a file', (doc) => findFileRecord(doc, 'src/util.py').set('text', new Y.Text('')), MALFORMED],
    ['a folder that is not true', (doc) => doc.getMap(FOLDERS_MAP).set('x', 1), MALFORMED],
    [`a file over MAX_DOCUMENT_BYTES`, (doc) => writeFile(doc, 'big.txt', 'y'.repeat(MAX_BYTES / 2)), TOO_LARGE],
  ];

  it.each(cases)('%s is refused, the room untouched, the others unaffected', async (_name, change, close) => {
    const before = Y.encodeStateAsUpdate(roomDoc(roomId));
    const update = updateOn(copyOf(alice.doc), change);
    expect(await sendRaw(roomId, update)).toEqual(close);
    expect(Y.encodeStateAsUpdate(roomDoc(roomId))).toEqual(before);
    expect(findLayoutProblem(roomDoc(roomId))).toBeUndefined();
    // Alice and Bob carry on typing in the file, both ways.
    findFile(alice.doc, 'src/util.py')!.text.insert(0, 'a');
    findFile(bob.doc, 'src/util.py')!.text.insert(0, 'b');
    await vi.waitFor(() => expect(findFile(bob.doc, 'src/util.py')!.text.toString()).toBe(findFile(alice.doc, 'src/util.py')!.text.toString()));
    expect(findFile(alice.doc, 'src/util.py')!.text.toString()).toMatch(/^[ab]{2}/);
    expect(bob.provider.wsconnected).toBe(true);
    expect(alice.provider.isSynced).toBe(true);
  });
});

describe('awareness in a multi-file room', () => {
  it('relays the `file` a person is in with their cursor, across both protocols', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: 'x\n', language: 'python' });
    const alice = connectClient(server.wsUrl, roomId);
    const bob = connectYjsClient(server.wsUrl, roomId);
    cleanups.push(() => alice.destroy(), () => bob.destroy());
    await Promise.all([alice.synced, bob.synced]);
    const id = writeFile(alice.doc, 'lib/a.py', 'a = 1\n');
    alice.provider.awareness!.setLocalState({ user: { name: 'Alice', color: '#f00', colorLight: '#f003' }, file: id, cursor: { anchor: 1, head: 1 } });
    await vi.waitFor(() => expect(bob.provider.awareness.getStates().get(alice.doc.clientID)).toMatchObject({ file: id, cursor: { anchor: 1 } }));
    bob.provider.awareness.setLocalStateField('file', 'code');
    await vi.waitFor(() => expect(alice.provider.awareness!.getStates().get(bob.doc.clientID)).toMatchObject({ file: 'code' }));
  });
});

describe(`more than ${MAX_FILES} files or ${MAX_FOLDERS} folders`, () => {
  it('refuses the 201st file and the 201st folder with 4413 (too many files); the room keeps 200 of each', async () => {
    const { roomId } = await createRoom(server.baseUrl, { code: '', language: 'python' });
    const alice = connectClient(server.wsUrl, roomId);
    cleanups.push(() => alice.destroy());
    await alice.synced;
    alice.doc.transact(() => {
      for (let i = 1; i < MAX_FILES; i++) writeFile(alice.doc, `f${i}.txt`, '');
      for (let i = 0; i < MAX_FOLDERS; i++) createFolder(alice.doc, `d${i}`);
    });
    await vi.waitFor(() => expect(readFileTree(roomDoc(roomId)).files).toHaveLength(MAX_FILES));
    await vi.waitFor(() => expect(roomDoc(roomId).getMap(FOLDERS_MAP).size).toBe(MAX_FOLDERS));
    const before = Y.encodeStateAsUpdate(roomDoc(roomId));
    expect(await sendRaw(roomId, updateOn(copyOf(alice.doc), (doc) => newRecord(doc, 'oneMore', { path: 'one-more.txt', text: new Y.Text() })))).toEqual(TOO_MANY);
    expect(await sendRaw(roomId, updateOn(copyOf(alice.doc), (doc) => doc.getMap(FOLDERS_MAP).set('one more', true)))).toEqual(TOO_MANY);
    expect(Y.encodeStateAsUpdate(roomDoc(roomId))).toEqual(before);
    // Alice still edits.
    findFile(alice.doc, 'f1.txt')!.text.insert(0, 'still here');
    await vi.waitFor(() => expect(findFile(roomDoc(roomId), 'f1.txt')!.text.toString()).toBe('still here'));
  }, 60_000);
});

function findFileRecord(doc: Y.Doc, path: string): Y.Map<unknown> {
  return filesMap(doc).get(findFile(doc, path)!.id)!;
}
