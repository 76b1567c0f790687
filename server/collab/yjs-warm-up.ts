import * as Y from 'yjs';
import { CODE_TEXT } from '../../shared/protocol.ts';

/**
 * Runs Yjs's load and sync paths on a made-up document until V8 has
 * optimised them. In a fresh process the first room loaded from storage
 * (the first one after a deploy or restart) is decoded by cold code, four
 * to five times slower than later ones: about 100 ms instead of 20 for a
 * long-edited 300 KB room. Takes a fraction of that, once, at start.
 */
export function warmUpYjs(rounds = 6): void {
  const source = new Y.Doc();
  const text = source.getText(CODE_TEXT);
  let seed = 1;
  const next = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % below;
  };
  // Typing with corrections, one transaction per keystroke, as a long-edited room holds.
  for (let i = 0; i < 4000; i++) {
    const length = text.length;
    if (length > 10 && next(5) === 0) text.delete(next(length - 5), 1 + next(4));
    else text.insert(length === 0 ? 0 : next(length), i % 40 === 0 ? '\n' : 'x');
  }
  const state = Y.encodeStateAsUpdate(source);
  for (let round = 0; round < rounds; round++) {
    const doc = new Y.Doc();
    doc.on('update', () => {});
    Y.applyUpdate(doc, state);
    Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Y.Doc()));
    Y.encodeStateVector(doc);
    doc.destroy();
  }
  source.destroy();
}
