import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeVersionUpdate } from '../../../../server/history/version-update.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 300);

/** An edit by one of two clients: typing or deleting in the entry text or in a file of the files map, a new file, a deleted file, or a sync. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), client: fc.nat(1), file: fc.nat(2), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('delete' as const), client: fc.nat(1), file: fc.nat(2), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('new-file' as const), client: fc.nat(1), file: fc.integer({ min: 1, max: 2 }), text: fc.string({ maxLength: 10 }) }),
  fc.record({ kind: fc.constant('delete-file' as const), client: fc.nat(1), file: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant('sync' as const) }),
);

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
            const doc = clients[step.client];
            const files = doc.getMap<Y.Map<unknown>>('files');
            const textOf = (file: number) => (file === 0 ? doc.getText('code') : (files.get(`f${file}`)?.get('text') as Y.Text | undefined));
            if (step.kind === 'new-file') {
              const record = new Y.Map<unknown>();
              record.set('text', new Y.Text(step.text));
              files.set(`f${step.file}`, record);
            } else if (step.kind === 'delete-file') {
              if (files.has(`f${step.file}`)) files.delete(`f${step.file}`);
            } else {
              const text = textOf(step.file);
              if (!text) continue;
              if (step.kind === 'insert') text.insert(step.at % (text.length + 1), step.text);
              else if (text.length > 0) {
                const at = step.at % text.length;
                text.delete(at, Math.min(step.length, text.length - at));
              }
            }
          }
          const changes = recorded.splice(0);
          const before = Y.encodeStateVector(build);
          deleted = [];
          for (const update of changes) Y.applyUpdate(build, update);
          const update = encodeVersionUpdate(build, before, deleted);
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
});
