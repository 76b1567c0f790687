import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeVersionUpdate } from '../../../../server/history/version-update.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 300);

/** An edit by one of `clients` clients: typing or deleting in the entry text or in a file of the files map, a new file, a deleted file, or a sync. */
const editBy = (clients: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), client: fc.nat(clients - 1), file: fc.nat(2), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 6 }) }),
    fc.record({ kind: fc.constant('delete' as const), client: fc.nat(clients - 1), file: fc.nat(2), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('new-file' as const), client: fc.nat(clients - 1), file: fc.integer({ min: 1, max: 2 }), text: fc.string({ maxLength: 10 }) }),
    fc.record({ kind: fc.constant('delete-file' as const), client: fc.nat(clients - 1), file: fc.integer({ min: 1, max: 2 }) }),
    fc.record({ kind: fc.constant('sync' as const), from: fc.nat(clients - 1), to: fc.nat(clients - 1) }),
  );
const edit = editBy(2);

type Edit = ReturnType<typeof editBy> extends fc.Arbitrary<infer T> ? T : never;

/** Makes an edit (not a sync) in its client's document. */
function applyEdit(clients: Y.Doc[], step: Exclude<Edit, { kind: 'sync' }>): void {
  const doc = clients[step.client];
  const files = doc.getMap<Y.Map<unknown>>('files');
  if (step.kind === 'new-file') {
    const record = new Y.Map<unknown>();
    record.set('text', new Y.Text(step.text));
    files.set(`f${step.file}`, record);
  } else if (step.kind === 'delete-file') {
    if (files.has(`f${step.file}`)) files.delete(`f${step.file}`);
  } else {
    const text = step.file === 0 ? doc.getText('code') : (files.get(`f${step.file}`)?.get('text') as Y.Text | undefined);
    if (!text) return;
    if (step.kind === 'insert') text.insert(step.at % (text.length + 1), step.text);
    else if (text.length > 0) {
      const at = step.at % text.length;
      text.delete(at, Math.min(step.length, text.length - at));
    }
  }
}

/** The room's content: the entry text and each file's text. */
const contentOf = (doc: Y.Doc) => ({
  code: doc.getText('code').toString(),
  files: Object.fromEntries([...doc.getMap<Y.Map<unknown>>('files').entries()].map(([id, file]) => [id, String(file.get('text'))])),
});

describe("a version's update read off the build document", () => {
  it('takes the room from the previous version to this one exactly as merging the changes\' updates does, for any edits of two clients', () => {
    fc.assert(
      fc.property(fc.array(fc.array(edit, { maxLength: 25 }), { minLength: 1, maxLength: 6 }), (versions) => {
        const clients = [new Y.Doc(), new Y.Doc()];
        // Each change's update, in the order the clients made them (the order the server records).
        const recorded: Uint8Array[] = [];
        clients.forEach((client) => client.on('update', (update: Uint8Array, origin: unknown) => origin !== 'sync' && recorded.push(update)));
        clients[0].getText('code').insert(0, 'def main():\n    pass\n');
        const sync = () => {
          for (const [from, to] of [[0, 1], [1, 0]]) Y.applyUpdate(clients[to], Y.encodeStateAsUpdate(clients[from], Y.encodeStateVector(clients[to])), 'sync');
        };
        sync();
        // The build document and the stored chain start at the room as of the first version.
        const build = new Y.Doc();
        Y.applyUpdate(build, Y.encodeStateAsUpdate(clients[0]));
        const chain = [Y.encodeStateAsUpdate(clients[0])];
        const merges = [Y.encodeStateAsUpdate(clients[0])];
        recorded.length = 0;
        let deleted: Y.Transaction['deleteSet'][] = [];
        build.on('afterTransaction', (transaction: Y.Transaction) => transaction.deleteSet.clients.size > 0 && deleted.push(transaction.deleteSet));
        for (const edits of versions) {
          for (const step of edits) {
            if (step.kind === 'sync') {
              sync();
              continue;
            }
            applyEdit(clients, step);
          }
          const changes = recorded.splice(0);
          const before = Y.encodeStateVector(build);
          deleted = [];
          for (const update of changes) Y.applyUpdate(build, update);
          // However many structs per change (the cut-off to the merge is a matter of cost, checked below).
          const update = encodeVersionUpdate(build, before, deleted, Infinity);
          expect(update).toBeDefined();
          chain.push(update!);
          merges.push(changes.length > 0 ? Y.mergeUpdates(changes) : Y.mergeUpdates([]));
          // The stored chain (previous versions then this one) renders this version, as the merged updates do.
          const rendered = new Y.Doc();
          for (const stored of chain) Y.applyUpdate(rendered, stored);
          const merged = new Y.Doc();
          for (const stored of merges) Y.applyUpdate(merged, stored);
          expect(contentOf(rendered)).toEqual(contentOf(build));
          expect(contentOf(rendered)).toEqual(contentOf(merged));
          expect(rendered.store.pendingStructs).toBeNull();
          expect(rendered.store.pendingDs).toBeNull();
        }
      }),
      { numRuns: runs },
    );
  });

  it('renders every version when changes arrive late (held back to the next version) or twice, for three clients: the merge stands in while the document holds pending updates', () => {
    let fellBack = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ edits: fc.array(editBy(3), { maxLength: 20 }), holdFirst: fc.boolean(), twice: fc.nat(7) }), { minLength: 1, maxLength: 6 }),
        (versions) => {
          const clients = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
          const recorded: Uint8Array[] = [];
          clients.forEach((client) => client.on('update', (update: Uint8Array, origin: unknown) => origin !== 'sync' && recorded.push(update)));
          clients[0].getText('code').insert(0, 'def main():\n    pass\n');
          for (const to of [1, 2]) Y.applyUpdate(clients[to], Y.encodeStateAsUpdate(clients[0]), 'sync');
          const build = new Y.Doc();
          Y.applyUpdate(build, Y.encodeStateAsUpdate(clients[0]));
          const chain = [Y.encodeStateAsUpdate(clients[0])];
          recorded.length = 0;
          let deleted: Y.Transaction['deleteSet'][] = [];
          build.on('afterTransaction', (transaction: Y.Transaction) => transaction.deleteSet.clients.size > 0 && deleted.push(transaction.deleteSet));
          let held: Uint8Array[] = [];
          for (const { edits, holdFirst, twice } of versions) {
            for (const step of edits) {
              if (step.kind !== 'sync') applyEdit(clients, step);
              else if (step.from !== step.to) Y.applyUpdate(clients[step.to], Y.encodeStateAsUpdate(clients[step.from], Y.encodeStateVector(clients[step.to])), 'sync');
            }
            // This version's first change arrives in the next one (its later changes wait for it as pending structs); one change comes twice.
            const changes = recorded.splice(0);
            const late = holdFirst && changes.length > 1 ? changes.splice(0, 1) : [];
            changes.push(...held);
            held = late;
            if (changes.length > 0) changes.splice(twice % changes.length, 0, changes[twice % changes.length]);
            const before = Y.encodeStateVector(build);
            deleted = [];
            for (const update of changes) Y.applyUpdate(build, update);
            // As the build does (`history-tasks.ts`).
            const update = encodeVersionUpdate(build, before, deleted, changes.length);
            if (!update) fellBack++;
            chain.push(update ?? Y.mergeUpdates(changes));
            const rendered = new Y.Doc();
            for (const stored of chain) Y.applyUpdate(rendered, stored);
            expect(contentOf(rendered)).toEqual(contentOf(build));
            expect(rendered.store.pendingStructs === null).toBe(build.store.pendingStructs === null);
          }
        },
      ),
      { numRuns: runs },
    );
    // The property reached the fallback, not only the update read off the document.
    expect(fellBack).toBeGreaterThan(0);
  });

  it('gives way to the merge when the room has many more structs than the version has changes (reading it off would cost more)', () => {
    const doc = new Y.Doc();
    const text = doc.getText('code');
    // Typing at alternate places: every character its own struct.
    for (let index = 0; index < 2_000; index++) text.insert(index % 2 === 0 ? 0 : text.length, 'x');
    const before = Y.encodeStateVector(doc);
    let deleted: Y.Transaction['deleteSet'][] = [];
    doc.on('afterTransaction', (transaction: Y.Transaction) => transaction.deleteSet.clients.size > 0 && deleted.push(transaction.deleteSet));
    deleted = [];
    text.delete(5, 1);
    expect(encodeVersionUpdate(doc, before, deleted, 1)).toBeUndefined();
    expect(encodeVersionUpdate(doc, before, deleted, 100)).toBeDefined();
  });
});
