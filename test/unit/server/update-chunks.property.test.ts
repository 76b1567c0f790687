import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { splitUpdate } from '../../../server/collab/update-chunks.ts';
import { findFile, movePath, readFileTree, setLanguage, writeFile } from '../../../shared/room-files.ts';

/** One step of a random history: a client edits its copy, or two clients sync. */
type Step =
  | { kind: 'insert'; client: number; at: number; text: string }
  | { kind: 'delete'; client: number; at: number; length: number }
  | { kind: 'meta'; client: number; key: string; value: number }
  | { kind: 'sync'; from: number; to: number }
  /** File work (the multi-file layout: nested types whose first items carry their parent's id). */
  | { kind: 'file'; client: number; op: 'create' | 'type' | 'rename' | 'language'; n: number };

const step = (clients: number): fc.Arbitrary<Step> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), client: fc.nat(clients - 1), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 6 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), client: fc.nat(clients - 1), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('meta' as const), client: fc.nat(clients - 1), key: fc.constantFrom('title', 'language'), value: fc.nat(9) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: fc.nat(clients - 1), to: fc.nat(clients - 1) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('file' as const), client: fc.nat(clients - 1), op: fc.constantFrom('create' as const, 'type' as const, 'rename' as const, 'language' as const), n: fc.nat(20) }) },
  );

/** Plays a history on `clients` documents and returns the state of all of them merged (as a server would store it). */
function playHistory(clients: number, steps: Step[]): Uint8Array {
  const docs = Array.from({ length: clients }, () => new Y.Doc());
  for (const s of steps) {
    if (s.kind === 'sync') {
      Y.applyUpdate(docs[s.to], Y.encodeStateAsUpdate(docs[s.from], Y.encodeStateVector(docs[s.to])));
      continue;
    }
    const doc = docs[s.client];
    if (s.kind === 'file') {
      const files = readFileTree(doc).files;
      const file = files[s.n % files.length];
      // Empty files and languages set later: first items that name their parent (another client's type).
      if (s.op === 'create') writeFile(doc, `f${s.n}-${s.client}.txt`, s.n % 2 === 0 ? '' : `x${s.n}`);
      else if (s.op === 'language') setLanguage(doc, file, s.n % 2 === 0 ? 'go' : 'rust');
      else if (s.op === 'type') file.text.insert(s.n % (file.text.length + 1), `t${s.n}`);
      else if (!findFile(doc, `r${s.n}/${file.path}`)) movePath(doc, file.path, `r${s.n}/${file.path}`);
      continue;
    }
    const text = doc.getText('code');
    if (s.kind === 'insert') text.insert(s.at % (text.length + 1), s.text);
    else if (s.kind === 'delete' && text.length > 0) {
      const at = s.at % text.length;
      text.delete(at, Math.min(s.length, text.length - at));
    } else if (s.kind === 'meta') doc.getMap('meta').set(s.key, s.value);
  }
  const server = new Y.Doc();
  for (const doc of docs) Y.applyUpdate(server, Y.encodeStateAsUpdate(doc));
  const state = Y.encodeStateAsUpdate(server);
  for (const doc of [server, ...docs]) doc.destroy();
  return state;
}

function applyDirect(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

describe('splitUpdate', () => {
  it('gives chunks that each integrate fully and together make the same document as the whole update', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((clients) => fc.tuple(fc.constant(clients), fc.array(step(clients), { maxLength: 120 }))),
        fc.integer({ min: 1, max: 10 }),
        ([clients, steps], structsPerChunk) => {
          const whole = playHistory(clients, steps);
          const direct = applyDirect(whole);
          const chunks = splitUpdate(whole, structsPerChunk);
          const chunked = new Y.Doc();
          for (const chunk of chunks) {
            Y.applyUpdate(chunked, chunk);
            // Each chunk integrates completely: nothing is left waiting for a later one.
            expect(chunked.store.pendingStructs).toBeNull();
            expect(chunked.store.pendingDs).toBeNull();
          }
          expect(chunked.getText('code').toString()).toBe(direct.getText('code').toString());
          expect(chunked.getMap('meta').toJSON()).toEqual(direct.getMap('meta').toJSON());
          expect(Y.encodeStateAsUpdate(chunked)).toEqual(Y.encodeStateAsUpdate(direct));
          direct.destroy();
          chunked.destroy();
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('keeps an item written into another client’s file (named by its parent’s id) after that file, whatever the client order', () => {
    // Client 7 sets the language of client 5's file: its item names the record by id, with no origin.
    const a = new Y.Doc();
    a.clientID = 7;
    const b = new Y.Doc();
    b.clientID = 5;
    writeFile(a, 'x.txt', '');
    writeFile(b, 'y.txt', '');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    setLanguage(a, findFile(a, 'y.txt')!, 'go');
    const whole = Y.encodeStateAsUpdate(a);
    const chunked = new Y.Doc();
    for (const chunk of splitUpdate(whole, 1)) {
      Y.applyUpdate(chunked, chunk);
      expect(chunked.store.pendingStructs).toBeNull();
    }
    expect(findFile(chunked, 'y.txt')?.language).toBe('go');
    for (const doc of [a, b, chunked]) doc.destroy();
  });

  it('splits a large history into chunks of at most the given number of structs', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 600; i++) steps.push({ kind: 'insert', client: i % 3, at: i * 7919, text: 'ab' }, { kind: 'sync', from: i % 3, to: (i + 1) % 3 });
    const whole = playHistory(3, steps);
    const chunks = splitUpdate(whole, 50);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks.slice(0, -1)) {
      const structs = Y.decodeUpdate(chunk).structs.length;
      expect(structs).toBeLessThanOrEqual(50);
    }
  });
});
