import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { languageOfPath, normalizePath, uniquePath } from '../../../shared/file-paths.ts';
import { MAX_PATH_LENGTH } from '../../../shared/protocol.ts';
import { encodeNewRoomState } from '../../../shared/room-doc.ts';
import { createFolder, deletePath, FileError, movePath, readFileTree, replaceText, writeFile } from '../../../shared/room-files.ts';

function room(code = 'print(1)'): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, encodeNewRoomState({ code, language: 'python', title: '' }));
  return doc;
}

function paths(doc: Y.Doc): [string, string][] {
  return readFileTree(doc).files.map((file) => [file.path, file.text.toString()]);
}

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
}

function codeOf(action: () => void): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof FileError) return error.code;
    throw error;
  }
}

describe('normalizePath', () => {
  it('takes letters of any script, digits, ._- and space in /-separated segments', () => {
    expect(normalizePath('src/main.py')).toBe('src/main.py');
    expect(normalizePath('docs/Über uns/ß_1-2.md')).toBe('docs/Über uns/ß_1-2.md');
    expect(normalizePath('e\u0301.txt')).toBe('\u00e9.txt'); // NFC
    expect(normalizePath('.gitignore')).toBe('.gitignore');
  });

  it('refuses what could escape or is ambiguous', () => {
    for (const bad of ['', '/etc/passwd', 'a/../b', '..', '.', 'a/./b', 'a//b', 'a/', 'C:\\x', 'a\\b', 'a\0b', 'x:y', '~/x', 'a/b?c']) {
      expect(normalizePath(bad), bad).toBeNull();
    }
    expect(normalizePath('a'.repeat(MAX_PATH_LENGTH))).not.toBeNull();
    expect(normalizePath('a'.repeat(MAX_PATH_LENGTH + 1))).toBeNull();
  });

  it('never returns a path with an empty, . or .. segment, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        const path = normalizePath(input);
        if (path === null) return;
        expect(path.length).toBeLessThanOrEqual(MAX_PATH_LENGTH);
        expect(path.startsWith('/')).toBe(false);
        for (const segment of path.split('/')) expect(['', '.', '..']).not.toContain(segment);
        expect(normalizePath(path)).toBe(path);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('languageOfPath and uniquePath', () => {
  it('derives a language from the extension', () => {
    expect(languageOfPath('src/a.PY')).toBe('python');
    expect(languageOfPath('inc/x.h')).toBe('c');
    expect(languageOfPath('Makefile')).toBe('plaintext');
    expect(languageOfPath('.bashrc')).toBe('plaintext');
  });

  it('numbers a taken path before its extension', () => {
    const taken = new Set(['a.py', 'a (2).py', 'dir.v/x']);
    expect(uniquePath('a.py', (p) => taken.has(p))).toBe('a (3).py');
    expect(uniquePath('dir.v/x', (p) => taken.has(p))).toBe('dir.v/x (2)');
  });
});

describe('room files', () => {
  it('a room made from code has one entry file main.<ext> whose text is code', () => {
    const doc = room();
    const tree = readFileTree(doc);
    expect(tree.entry).toBe('main.py');
    expect(paths(doc)).toEqual([['main.py', 'print(1)']]);
  });

  it('creates, replaces, moves and deletes files and folders', () => {
    const doc = room();
    writeFile(doc, 'src/util.py', 'x = 1');
    writeFile(doc, 'src/util.py', 'x = 2');
    createFolder(doc, 'empty/inner');
    movePath(doc, 'src', 'lib');
    movePath(doc, 'main.py', 'lib/app.py');
    expect(paths(doc)).toEqual([['lib/app.py', 'print(1)'], ['lib/util.py', 'x = 2']]);
    expect(readFileTree(doc).entry).toBe('lib/app.py');
    expect(doc.getText('code').toString()).toBe('print(1)');
    expect(readFileTree(doc).folders).toEqual(['empty', 'empty/inner', 'lib']);
    expect(codeOf(() => deletePath(doc, 'lib'))).toBe('entry_file');
    deletePath(doc, 'lib/util.py');
    deletePath(doc, 'empty');
    expect(paths(doc)).toEqual([['lib/app.py', 'print(1)']]);
    expect(readFileTree(doc).folders).toEqual(['lib']);
  });

  it('refuses bad paths, taken paths and moves into oneself, changing nothing', () => {
    const doc = room();
    writeFile(doc, 'a/b.py', '');
    const before = Y.encodeStateAsUpdate(doc);
    expect(codeOf(() => writeFile(doc, '../x', ''))).toBe('invalid_path');
    expect(codeOf(() => writeFile(doc, 'a/b.py/c', ''))).toBe('path_exists');
    expect(codeOf(() => writeFile(doc, 'a', ''))).toBe('path_exists');
    expect(codeOf(() => movePath(doc, 'a', 'a/z'))).toBe('invalid_path');
    expect(codeOf(() => movePath(doc, 'a/b.py', 'main.py'))).toBe('path_exists');
    expect(codeOf(() => movePath(doc, 'nope', 'x'))).toBe('file_not_found');
    expect(codeOf(() => deletePath(doc, 'nope'))).toBe('file_not_found');
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
  });

  it('two concurrent renames of one file end with one name everywhere and the text whole', () => {
    const a = room();
    writeFile(a, 'util.py', 'base');
    const b = new Y.Doc();
    sync(a, b);
    movePath(a, 'util.py', 'x.py');
    readFileTree(a).files.find((f) => f.path === 'x.py')!.text.insert(4, ' from a');
    movePath(b, 'util.py', 'y.py');
    readFileTree(b).files.find((f) => f.path === 'y.py')!.text.insert(0, 'b: ');
    sync(a, b);
    expect(paths(a)).toEqual(paths(b));
    const renamed = paths(a).filter(([path]) => path !== 'main.py');
    expect(renamed).toHaveLength(1);
    expect(['x.py', 'y.py']).toContain(renamed[0][0]);
    expect(renamed[0][1]).toBe('b: base from a');
  });

  it('two files created at one path are both kept, the same way on every client', () => {
    const a = room();
    const b = new Y.Doc();
    sync(a, b);
    writeFile(a, 'n.py', 'A');
    writeFile(b, 'n.py', 'B');
    sync(a, b);
    expect(paths(a)).toEqual(paths(b));
    expect(paths(a).map(([path]) => path)).toEqual(['main.py', 'n (2).py', 'n.py']);
    expect(paths(a).map(([, text]) => text).sort()).toEqual(['A', 'B', 'print(1)']);
  });

  it('replaceText changes only what differs and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), (from, to) => {
        const doc = new Y.Doc();
        const text = doc.getText('t');
        text.insert(0, from);
        replaceText(text, to);
        expect(text.toString()).toBe(to);
      }),
      { numRuns: 1000 },
    );
  });
});
