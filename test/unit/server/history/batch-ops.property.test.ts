import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { replayChanges } from '../../../../server/history/batch-ops.ts';
import type { ChangeOp, RecordedChange } from '../../../../server/history/change-index.ts';
import { observeOps } from '../../../../server/history/change-ops.ts';
import { changedOnlyTexts, createdRanges } from '../../../../server/history/change-recorder.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 300);
/** `FUZZ_RUNS` of thousands take longer than vitest's default 5 s. */
const timeout = 5_000 + runs * 10;
const CLIENTS = 3;
const SYNCED = 'sync';

/** A step by one of the clients: typing, deleting or replacing in the entry text or a file, a new, deleted or renamed file; or a sync between two clients. */
const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('insert' as const), client: fc.nat(CLIENTS - 1), file: fc.nat(2), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), client: fc.nat(CLIENTS - 1), file: fc.nat(2), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replace' as const), client: fc.nat(CLIENTS - 1), file: fc.nat(2), at: fc.nat(), length: fc.integer({ min: 1, max: 4 }), text: fc.string({ minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('new-file' as const), client: fc.nat(CLIENTS - 1), file: fc.integer({ min: 1, max: 2 }), text: fc.string({ maxLength: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-file' as const), client: fc.nat(CLIENTS - 1), file: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), client: fc.nat(CLIENTS - 1), file: fc.integer({ min: 1, max: 2 }), path: fc.constantFrom('a.py', 'b/c.ts') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sync' as const), from: fc.nat(CLIENTS - 1), to: fc.nat(CLIENTS - 1) }) },
);
/** One edit of a text inside a larger transaction: delete `del` characters at `at`, then insert `text` there. */
const edit = fc.record({ file: fc.nat(2), at: fc.nat(), del: fc.nat(5), text: fc.string({ maxLength: 4 }) });
/** Any step, or one transaction editing several places and texts: alone (text-only), or with a rename (not text-only, read off its events between runs). */
const anyStep = fc.oneof(
  { weight: 4, arbitrary: step },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('edits' as const), client: fc.nat(CLIENTS - 1), edits: fc.array(edit, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename-edits' as const), client: fc.nat(CLIENTS - 1), file: fc.integer({ min: 1, max: 2 }), edits: fc.array(edit, { minLength: 1, maxLength: 3 }) }) },
);
type Step = typeof anyStep extends fc.Arbitrary<infer T> ? T : never;

function textOf(doc: Y.Doc, file: number): Y.Text | undefined {
  if (file === 0) return doc.getText('code');
  return doc.getMap<Y.Map<unknown>>('files').get(`f${file}`)?.get('text') as Y.Text | undefined;
}

/** Makes a step (not a sync) in its client's document, as one transaction. */
function make(doc: Y.Doc, step: Exclude<Step, { kind: 'sync' }>): void {
  const files = doc.getMap<Y.Map<unknown>>('files');
  doc.transact(() => {
    if (step.kind === 'new-file') {
      const record = new Y.Map<unknown>();
      record.set('path', `f${step.file}.txt`);
      record.set('text', new Y.Text(step.text));
      files.set(`f${step.file}`, record);
      return;
    }
    if (step.kind === 'delete-file') {
      if (files.has(`f${step.file}`)) files.delete(`f${step.file}`);
      return;
    }
    if (step.kind === 'rename') {
      files.get(`f${step.file}`)?.set('path', step.path);
      return;
    }
    if (step.kind === 'edits' || step.kind === 'rename-edits') {
      if (step.kind === 'rename-edits') files.get(`f${step.file}`)?.set('path', `r${step.edits.length}.txt`);
      for (const { file, at, del, text: inserted } of step.edits) {
        const text = textOf(doc, file);
        if (!text) continue;
        const pos = at % (text.length + 1);
        if (Math.min(del, text.length - pos) > 0) text.delete(pos, Math.min(del, text.length - pos));
        if (inserted) text.insert(pos, inserted);
      }
      return;
    }
    const text = textOf(doc, step.file);
    if (!text) return;
    if (step.kind === 'insert') text.insert(step.at % (text.length + 1), step.text);
    else if (text.length > 0) {
      const at = step.at % text.length;
      text.delete(at, Math.min(step.length, text.length - at));
      if (step.kind === 'replace') text.insert(at, step.text);
    }
  });
}

/** Each client's own transactions, recorded as the server's recorder records them (update, Yjs ids created, text-only flag), in the order they were made. */
function record(steps: Step[]): RecordedChange[] {
  const clients = Array.from({ length: CLIENTS }, () => new Y.Doc());
  const changes: RecordedChange[] = [];
  for (const client of clients) {
    client.on('update', (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
      if (origin === SYNCED) return;
      changes.push({ at: 0, author: { name: 'x', color: '' }, ops: [], ranges: createdRanges(transaction), update, ...(changedOnlyTexts(transaction) ? { textOnly: true } : {}) });
    });
  }
  for (const next of steps) {
    if (next.kind === 'sync') Y.applyUpdate(clients[next.to], Y.encodeStateAsUpdate(clients[next.from]), SYNCED);
    else make(clients[next.client], next);
  }
  return changes;
}

/** Each change's ops with one transaction per change, read off its events: the reference. */
function opsByEvents(changes: readonly RecordedChange[]): ChangeOp[][] {
  const doc = new Y.Doc();
  const observer = observeOps(doc);
  return changes.map((change) => {
    Y.applyUpdate(doc, change.update!);
    return observer.take();
  });
}

function opsByReplay(changes: readonly RecordedChange[]): { ops: ChangeOp[][]; doc: Y.Doc } {
  const doc = new Y.Doc();
  const observer = observeOps(doc);
  const copies = changes.map((change) => ({ ...change, ops: [] }));
  replayChanges(doc, copies, observer, new Map());
  return { ops: copies.map((change) => change.ops), doc };
}

/**
 * Replays `changes` with {@link replayChanges} on a document that already
 * holds `base` (applied one by one: it may keep some pending), batched or
 * (`textOnly` cleared) one transaction per change; also gives the union of
 * the transactions' delete sets (what `version-update.ts` writes).
 */
function replayOn(base: readonly RecordedChange[], changes: readonly RecordedChange[], batched: boolean) {
  const doc = new Y.Doc();
  for (const change of base) Y.applyUpdate(doc, change.update!);
  const observer = observeOps(doc);
  const deleted: Y.Transaction['deleteSet'][] = [];
  doc.on('afterTransaction', (transaction: Y.Transaction) => {
    if (transaction.deleteSet.clients.size > 0) deleted.push(transaction.deleteSet);
  });
  const copies = changes.map((change) => ({ ...change, ops: [] as ChangeOp[], textOnly: batched && change.textOnly }));
  replayChanges(doc, copies, observer, new Map());
  return { ops: copies.map((change) => change.ops), doc, deleted: Y.mergeDeleteSets(deleted) };
}

/** A delete set as comparable data. */
const rangesOf = (set: Y.Transaction['deleteSet']) =>
  [...set.clients.entries()].sort(([x], [y]) => x - y).map(([client, ranges]) => [client, ranges.map((range) => [range.clock, range.len])]);

/** Ops per file in order (the order of files within one change is free). */
const byFile = (ops: ChangeOp[]) => {
  const files = new Map<string, ChangeOp[]>();
  for (const op of ops) files.set(op.file, [...(files.get(op.file) ?? []), op]);
  return [...files.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
};

describe('history: replaying runs of text-only changes in one transaction', () => {
  it('gives every change the ops its own transaction and events give, files made, removed and renamed between', () => {
    let batched = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80, size: 'max' }), (steps) => {
        const changes = record(steps);
        batched += changes.filter((change) => change.textOnly).length;
        const expected = opsByEvents(changes);
        const { ops } = opsByReplay(changes);
        expect(ops.map(byFile)).toEqual(expected.map(byFile));
      }),
      { numRuns: runs },
    );
    expect(batched).toBeGreaterThan(runs * 5);
  }, timeout);

  it('still does when changes arrive before ones they depend on (two instances, stored out of order)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 60, size: 'max' }), fc.array(fc.nat(), { maxLength: 6 }), (steps, swaps) => {
        const changes = record(steps);
        for (const swap of swaps) {
          if (changes.length < 2) break;
          const at = swap % (changes.length - 1);
          [changes[at], changes[at + 1]] = [changes[at + 1], changes[at]];
        }
        const expected = opsByEvents(changes);
        const { ops, doc } = opsByReplay(changes);
        expect(ops.map(byFile)).toEqual(expected.map(byFile));
        const reference = new Y.Doc();
        for (const change of changes) Y.applyUpdate(reference, change.update!);
        expect(doc.getText('code').toString()).toBe(reference.getText('code').toString());
      }),
      { numRuns: runs },
    );
  }, timeout);

  it('still does for changes editing several places and texts, on a document that already holds some (pending ones too, or the same changes again), and leaves the same document and deletions', () => {
    fc.assert(
      fc.property(fc.array(anyStep, { minLength: 1, maxLength: 60, size: 'max' }), fc.array(fc.nat(), { maxLength: 6 }), fc.nat(8), fc.nat(3), (steps, swaps, held, again) => {
        const changes = record(steps);
        for (const swap of swaps) {
          if (changes.length < 2) break;
          const at = swap % (changes.length - 1);
          [changes[at], changes[at + 1]] = [changes[at + 1], changes[at]];
        }
        const cut = Math.min(held, changes.length);
        const base = changes.slice(0, cut);
        const rest = changes.slice(Math.max(0, cut - again));
        const expected = replayOn(base, rest, false);
        const got = replayOn(base, rest, true);
        expect(got.ops.map(byFile)).toEqual(expected.ops.map(byFile));
        expect(rangesOf(got.deleted)).toEqual(rangesOf(expected.deleted));
        expect(rangesOf(Y.createDeleteSetFromStructStore(got.doc.store))).toEqual(rangesOf(Y.createDeleteSetFromStructStore(expected.doc.store)));
        expect(Y.encodeStateVector(got.doc)).toEqual(Y.encodeStateVector(expected.doc));
        if (cut > 0 || got.doc.store.pendingStructs || got.doc.store.pendingDs) return;
        // From an empty room with nothing pending, each file's ops played in order give its text.
        const played = new Map<string, string>();
        for (const op of got.ops.flat()) {
          const text = played.get(op.file) ?? '';
          played.set(op.file, text.slice(0, op.pos) + op.ins + text.slice(op.pos + op.del));
        }
        for (const [file, text] of played) expect(text).toBe(textOf(got.doc, file === 'code' ? 0 : Number(file.slice(1)))?.toString() ?? '');
      }),
      { numRuns: runs },
    );
  }, timeout);

  it('plays a long run of typing back to the text it ends in', () => {
    const changes = record(
      Array.from({ length: 400 }, (_, index): Step => (index % 7 === 3
        ? { kind: 'delete', client: index % 2, file: 0, at: index * 13, length: 3 }
        : index % 11 === 0 ? { kind: 'sync', from: index % 2, to: (index + 1) % 2 } : { kind: 'insert', client: index % 2, file: 0, at: index * 7, text: 'ab\n' })),
    );
    const { ops, doc } = opsByReplay(changes);
    let text = '';
    for (const op of ops.flat()) text = text.slice(0, op.pos) + op.ins + text.slice(op.pos + op.del);
    expect(changes.every((change) => change.textOnly)).toBe(true);
    expect(text).toBe(doc.getText('code').toString());
  });
});
