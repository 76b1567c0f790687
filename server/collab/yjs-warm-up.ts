import { Document } from '@hocuspocus/server';
import * as Y from 'yjs';
import { encodeNewRoomState, readRoomContent } from '../../shared/room-doc.ts';
import { CODE_TEXT, META_MAP, META_TITLE } from '../../shared/protocol.ts';
import { findFile, writeFile } from '../../shared/room-files.ts';

/**
 * Runs Yjs's load and sync paths on a made-up, long-edited room until V8
 * has optimised them. In a fresh process the first large room loaded from
 * storage (the first after a deploy or a restart, when every client
 * reconnects at once) is decoded by unoptimised code. The made-up room has
 * the real layout (the entry and a few files, typed in by turns) and lives
 * in a Hocuspocus `Document`, as rooms do: code
 * optimised for other shapes is thrown away at the first real room. About a
 * second, once, before the server listens.
 */
export function warmUpYjs(edits = 20_000, rounds = 6): void {
  const source = new Y.Doc();
  Y.applyUpdate(source, encodeNewRoomState({ code: '', language: 'javascript', title: 'warm-up' }));
  const meta = source.getMap(META_MAP);
  for (let file = 1; file <= 4; file++) writeFile(source, `src/module${file}.js`, '');
  const texts = [source.getText(CODE_TEXT), ...[1, 2, 3, 4].map((file) => findFile(source, `src/module${file}.js`)!.text)];
  let text = texts[0];
  // A typist: runs of characters at a cursor that now and then jumps, some backspaces, a retitle.
  let seed = 1;
  const random = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % below;
  };
  let cursor = 0;
  for (let i = 0; i < edits; i++) {
    if (random(20) === 0) {
      text = texts[random(5) === 0 ? random(texts.length) : 0];
      cursor = random(text.length + 1);
    }
    if (cursor > 0 && random(6) === 0) text.delete(--cursor, 1);
    else text.insert(cursor++, i % 50 === 0 ? '\n' : 'x');
    if (i % 2_000 === 0) meta.set(META_TITLE, `warm-up ${i}`);
  }
  const state = Y.encodeStateAsUpdate(source);
  source.destroy();
  for (let round = 0; round < rounds; round++) {
    const room = new Document(`warm-up-${round}`, {}, { flushDelay: false, flushMaxBytes: 1 << 20 });
    Y.applyUpdate(room, state);
    Y.encodeStateAsUpdate(room);
    Y.encodeStateVector(room);
    readRoomContent(room);
    room.destroy();
  }
}
