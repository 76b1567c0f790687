import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { FileChanges, foldedFiles } from '../../../server/files/file-changes.ts';
import { planFileWrites } from '../../../server/files/room-files.repository.ts';
import { movePath, writeFile, readFileTree } from '../../../shared/room-files.ts';
import { ENTRY_FILE_ID } from '../../../shared/protocol.ts';

describe('which room_files rows a fold writes', () => {
  it('tracks the files whose text or record changed, per transaction', () => {
    const doc = new Y.Doc();
    const changes = new FileChanges(doc);
    const a = writeFile(doc, 'a.py', 'a');
    const b = writeFile(doc, 'b.py', 'b');
    expect([...changes.take()].sort()).toEqual([a, b].sort());
    readFileTree(doc).files.find((file) => file.id === b)!.text.insert(0, 'x');
    doc.getText('code').insert(0, 'entry');
    expect([...changes.take()].sort()).toEqual([ENTRY_FILE_ID, b].sort());
    const taken = changes.take();
    expect(taken.size).toBe(0);
    changes.restore(new Set([a]));
    expect([...changes.take()]).toEqual([a]);
    changes.stop();
    writeFile(doc, 'a.py', 'changed after stop');
    expect(changes.take().size).toBe(0);
  });

  it('rewrites changed files and rows that no longer match, deletes rows of paths gone, leaves the rest', () => {
    const doc = new Y.Doc();
    const [a, b, c] = ['a.py', 'b.py', 'c.py'].map((path) => writeFile(doc, path, path));
    const stored = readFileTree(doc).files.map((file) => ({ path: file.path, fileId: file.id, language: file.language, size: file.text.length }));
    movePath(doc, 'c.py', 'd.py');
    const plan = planFileWrites(foldedFiles(doc, new Set([a])), stored);
    expect(plan.write.map((file) => [file.path, file.content]).sort()).toEqual([['a.py', 'a.py'], ['d.py', 'c.py']]);
    expect(plan.remove.sort()).toEqual(['a.py', 'c.py']);
    void b;
    void c;
  });
});
