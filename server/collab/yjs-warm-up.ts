import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';

/**
 * Runs Yjs's load and sync paths on a made-up, long-edited document until
 * V8 has optimised them. In a fresh process the first large room loaded from
 * storage (the first after a deploy or a restart, when every client
 * reconnects at once) is decoded by unoptimised code: the 300 KB paper of
 * the benchmark took 130 ms to load instead of 20, and 50 ms to encode
 * instead of 4. About a second, once, before the server listens.
 */
export function warmUpYjs(edits = 20_000, rounds = 6): void {
  const source = new Y.Doc();
  const text = source.getText(CODE_TEXT);
  // A typist: runs of characters at a cursor that now and then jumps, some backspaces.
  let seed = 1;
  const random = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % below;
  };
  let cursor = 0;
  for (let i = 0; i < edits; i++) {
    if (random(20) === 0) cursor = random(text.length + 1);
    if (cursor > 0 && random(6) === 0) text.delete(--cursor, 1);
    else text.insert(cursor++, i % 50 === 0 ? '\n' : 'x');
  }
  const state = Y.encodeStateAsUpdate(source);
  source.destroy();
  for (let round = 0; round < rounds; round++) {
    const room = new Y.Doc();
    room.on('update', () => {}); // as in a room: Yjs encodes each change for its listeners
    Y.applyUpdate(room, state);
    Y.encodeStateAsUpdate(room);
    Y.encodeStateVector(room);
    room.destroy();
  }
}
