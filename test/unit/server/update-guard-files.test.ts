import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { currentRoomBytes, measureRoom } from '../../../server/collab/room-size.ts';
import { checkUpdate } from '../../../server/collab/update-guard.ts';
import { CODE_TEXT, FILES_MAP, FOLDERS_MAP, MAX_FILES, MAX_FOLDERS } from '../../../shared/protocol.ts';
import { encodeNewRoomState } from '../../../shared/room-doc.ts';
import { findLayoutProblem } from '../../../shared/room-layout.ts';
import { createFolder, deletePath, filesMap, findFile, movePath, readFileTree, writeFile } from '../../../shared/room-files.ts';
import { encodeRawUpdate } from '../../support/crafted-updates.ts';
import { updateOn } from '../../support/yjs-updates.ts';

/**
 * The update guard on the multi-file layout: what room-files.ts does is
 * accepted; each way out of the layout is refused, the room untouched.
 */

function newRoom(): Y.Doc {
  const room = new Y.Doc();
  Y.applyUpdate(room, encodeNewRoomState({ code: 'print(1)\n', language: 'python', title: 'Files' }, {
    entry: 'main.py',
    files: [{ path: 'main.py', content: 'print(1)\n' }, { path: 'lib/util.py', content: 'def f():\n    pass\n' }],
  }));
  return room;
}

/** A client's copy of the room. */
function clientOf(room: Y.Doc, clientID = 7): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(room));
  return doc;
}

/** Checks `update` against `room`; applies it when accepted and checks the layout; else checks the room did not change. */
function offer(room: Y.Doc, update: Uint8Array) {
  const before = Y.encodeStateAsUpdate(room);
  const verdict = checkUpdate(update, room);
  if (verdict.ok) {
    Y.applyUpdate(room, update);
    expect(findLayoutProblem(room)).toBeUndefined();
  } else expect(Y.encodeStateAsUpdate(room)).toEqual(before);
  return verdict;
}

const accepted = (verdict: ReturnType<typeof checkUpdate>) => expect(verdict).toMatchObject({ ok: true });
const refused = (verdict: ReturnType<typeof checkUpdate>, problem: string) => expect(verdict).toMatchObject({ ok: false, problem });

describe('the update guard on files', () => {
  it('accepts what room-files does: create, type, rename, move a folder, set a language, delete, folders', () => {
    const room = newRoom();
    const alice = clientOf(room);
    accepted(offer(room, updateOn(alice, (doc) => writeFile(doc, 'src/app.py', 'x = 1\n'))));
    accepted(offer(room, updateOn(alice, (doc) => findFile(doc, 'src/app.py')!.text.insert(0, '# app\n'))));
    accepted(offer(room, updateOn(alice, (doc) => findFile(doc, 'lib/util.py')!.text.insert(0, 'import os\n'))));
    accepted(offer(room, updateOn(alice, (doc) => movePath(doc, 'src/app.py', 'src/main_app.py'))));
    accepted(offer(room, updateOn(alice, (doc) => movePath(doc, 'main.py', 'src/main.py'))));
    accepted(offer(room, updateOn(alice, (doc) => createFolder(doc, 'docs/empty folder'))));
    accepted(offer(room, updateOn(alice, (doc) => movePath(doc, 'docs', 'documentation'))));
    accepted(offer(room, updateOn(alice, (doc) => writeFile(doc, 'data.txt', 'x', { language: 'markdown' }))));
    accepted(offer(room, updateOn(alice, (doc) => deletePath(doc, 'lib'))));
    accepted(offer(room, updateOn(alice, (doc) => doc.getText(CODE_TEXT).insert(0, '#!\n'))));
    const tree = readFileTree(room);
    expect(tree.entry).toBe('src/main.py');
    expect(tree.files.map((file) => file.path)).toEqual(['data.txt', 'src/main.py', 'src/main_app.py']);
    expect(tree.folders).toEqual(['documentation', 'documentation/empty folder', 'src']);
    expect(findFile(room, 'src/main_app.py')!.text.toString()).toBe('# app\nx = 1\n');
  });

  it('accepts a reconnect’s batch: files made, renamed, typed in and deleted offline, in one update', () => {
    const room = newRoom();
    const offline = clientOf(room);
    const vector = Y.encodeStateVector(room);
    writeFile(offline, 'a.py', 'a');
    writeFile(offline, 'b.py', 'b');
    findFile(offline, 'a.py')!.text.insert(1, 'aa');
    movePath(offline, 'a.py', 'dir/a.py');
    deletePath(offline, 'b.py');
    createFolder(offline, 'empty');
    accepted(offer(room, Y.encodeStateAsUpdate(offline, vector)));
    expect(readFileTree(room).files.map((file) => [file.path, file.text.toString()])).toEqual([
      ['dir/a.py', 'aaa'], ['lib/util.py', 'def f():\n    pass\n'], ['main.py', 'print(1)\n'],
    ]);
    // And a whole state into an empty room (a spill, a fresh replica).
    const empty = new Y.Doc();
    accepted(offer(empty, Y.encodeStateAsUpdate(room)));
  });

  it('refuses paths that are not canonical, in a new file and in a rename', () => {
    const room = newRoom();
    const eve = clientOf(room);
    for (const path of ['../etc/passwd', 'a/../b.py', '/abs.py', 'a//b.py', 'a/', '', 'x'.repeat(256), 'bad\u0000name', 'e\u0301.py']) {
      const create = updateOn(clientOf(room), (doc) => {
        const record = new Y.Map();
        filesMap(doc).set('f1', record);
        record.set('path', path);
        record.set('text', new Y.Text('x'));
      });
      refused(offer(room, create), 'layout');
      refused(offer(room, updateOn(clientOf(room), (doc) => filesMap(doc).get('code')!.set('path', path))), 'layout');
    }
    refused(offer(room, updateOn(eve, (doc) => doc.getMap(FOLDERS_MAP).set('../up', true))), 'layout');
    refused(offer(room, updateOn(clientOf(room), (doc) => doc.getMap(FOLDERS_MAP).set('ok', 'yes'))), 'layout');
  });

  it('refuses shapes outside the layout', () => {
    const room = newRoom();
    const utilId = findFile(room, 'lib/util.py')!.id;
    const cases: Record<string, (doc: Y.Doc) => void> = {
      'a format in a file': (doc) => findFile(doc, 'lib/util.py')!.text.format(0, 3, { bold: true }),
      'an embed in a file': (doc) => findFile(doc, 'lib/util.py')!.text.insertEmbed(0, { image: 'x' }),
      'an attribute on a file text': (doc) => findFile(doc, 'lib/util.py')!.text.setAttribute('a', 1),
      'a Y.Array in files': (doc) => doc.getMap(FILES_MAP).set('arr', new Y.Array()),
      'a Y.Text in files': (doc) => doc.getMap(FILES_MAP).set('txt', new Y.Text('x')),
      'a string in files': (doc) => doc.getMap(FILES_MAP).set('str', 'x'),
      'a record under a key that is not an id': (doc) => {
        const record = new Y.Map();
        doc.getMap(FILES_MAP).set('not an id!', record);
        record.set('path', 'x.py');
        record.set('text', new Y.Text());
      },
      'a record without a text': (doc) => {
        const record = new Y.Map();
        doc.getMap(FILES_MAP).set('notext', record);
        record.set('path', 'x.py');
      },
      'a record without a path': (doc) => {
        const record = new Y.Map();
        doc.getMap(FILES_MAP).set('nopath', record);
        record.set('text', new Y.Text('x'));
      },
      'text in the entry record': (doc) => filesMap(doc).get('code')!.set('text', new Y.Text('x')),
      'a language in the entry record': (doc) => filesMap(doc).get('code')!.set('language', 'go'),
      'a second text on a record': (doc) => filesMap(doc).get(utilId)!.set('text', new Y.Text('replaced')),
      'an unknown language': (doc) => filesMap(doc).get(utilId)!.set('language', 'cobol'),
      'another key in a record': (doc) => filesMap(doc).get(utilId)!.set('owner', 'eve'),
      'a Y.Map in a record': (doc) => filesMap(doc).get(utilId)!.set('path', new Y.Map()),
      'a Y.Map in a file text': (doc) => findFile(doc, 'lib/util.py')!.text.insertEmbed(0, new Y.Map()),
      'an XmlText as a file text': (doc) => {
        const record = new Y.Map();
        doc.getMap(FILES_MAP).set('xml', record);
        record.set('path', 'x.py');
        record.set('text', new Y.XmlText('x'));
      },
      'a nested map in folders': (doc) => doc.getMap(FOLDERS_MAP).set('dir', new Y.Map()),
      'another root': (doc) => doc.getMap('notes').set('a', 'b'),
    };
    for (const [name, change] of Object.entries(cases)) {
      const verdict = offer(room, updateOn(clientOf(room), change));
      expect({ name, verdict }).toEqual({ name, verdict: { ok: false, problem: 'layout' } });
    }
  });

  it('refuses a crafted item under a parent id that is not a file record or a file text', () => {
    const room = newRoom();
    const titleItem = room.getMap('meta')._map.get('title')!;
    const textItem = findFile(room, 'lib/util.py')!.text._item!;
    const update = (parent: { client: number; clock: number }, parentSub?: string) =>
      encodeRawUpdate([{ client: 99, clock: 0, structs: [{ kind: 'item', parent, ...(parentSub && { parentSub }), content: { type: 'string', text: 'x' } }] }]);
    refused(offer(room, update(titleItem.id)), 'layout'); // a string item is no type
    refused(offer(room, update(textItem.id, 'path')), 'layout'); // a key on a text
    accepted(offer(room, update(textItem.id))); // a first character straight into a file's text
  });

  it(`refuses a file past ${MAX_FILES} and a folder past ${MAX_FOLDERS} (too_many_files), and counts deletions in the same update`, () => {
    const room = newRoom();
    const filler = clientOf(room);
    accepted(offer(room, updateOn(filler, (doc) => { for (let i = 2; i < MAX_FILES; i++) writeFile(doc, `f${i}.txt`, ''); })));
    expect(readFileTree(room).files).toHaveLength(MAX_FILES);
    const oneMore = updateOn(clientOf(room, 8), (doc) => {
      const record = new Y.Map();
      filesMap(doc).set('extra', record);
      record.set('path', 'extra.txt');
      record.set('text', new Y.Text());
    });
    refused(offer(room, oneMore), 'too_many_files');
    // Deleting one and creating one in a single update stays within.
    accepted(offer(room, updateOn(clientOf(room, 9), (doc) => {
      deletePath(doc, 'f2.txt');
      writeFile(doc, 'g.txt', 'g');
    })));
    accepted(offer(room, updateOn(filler, (doc) => { for (let i = 0; i < MAX_FOLDERS; i++) createFolder(doc, `d${i}`); })));
    refused(offer(room, updateOn(clientOf(room, 10), (doc) => doc.getMap(FOLDERS_MAP).set('one more', true))), 'too_many_files');
  });

  it('counts every file in the room size, and keeps the typing path’s figure equal to a full measure', () => {
    const room = newRoom();
    const alice = clientOf(room);
    const figure = () => expect(currentRoomBytes(room)).toBe(measureRoom(room));
    figure();
    const before = measureRoom(room);
    const apply = (change: (doc: Y.Doc) => void) => {
      const update = updateOn(alice, change);
      const verdict = checkUpdate(update, room);
      expect(verdict.ok).toBe(true);
      Y.applyUpdate(room, update);
      figure();
      return verdict.ok ? verdict.addedBytes : 0;
    };
    const added = apply((doc) => writeFile(doc, 'big.txt', 'y'.repeat(1000)));
    expect(added).toBeGreaterThanOrEqual(2 * (1000 + 'big.txt'.length));
    expect(measureRoom(room)).toBe(before + 2 * (1000 + 'big.txt'.length));
    apply((doc) => findFile(doc, 'big.txt')!.text.insert(5, 'zz'));
    apply((doc) => findFile(doc, 'big.txt')!.text.delete(0, 100));
    apply((doc) => movePath(doc, 'big.txt', 'folder/bigger.txt'));
    apply((doc) => createFolder(doc, 'empty'));
    apply((doc) => deletePath(doc, 'folder'));
    expect(measureRoom(room)).toBe(before + 2 * 'empty'.length);
  });
});
