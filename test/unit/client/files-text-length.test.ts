import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { trackOtherFilesLength } from '../../../client/files/other-files-length.ts';
import { filesMap, filesTextLength, movePath, readFileTree, writeFile } from '../../../shared/room-files.ts';

// What the editor's size limit counts beside the file being typed in.
describe('filesTextLength', () => {
  it('is every text of the room plus every recorded path', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 50 }),
        fc.array(fc.record({ name: fc.stringMatching(/^[a-z]{1,8}$/), content: fc.string({ maxLength: 40 }) }), { maxLength: 12 }),
        (code, files) => {
          const doc = new Y.Doc();
          doc.getText('code').insert(0, code);
          for (const [index, file] of files.entries()) writeFile(doc, `dir/${file.name}${index}.py`, file.content);
          if (files.length > 0) movePath(doc, 'main.txt', 'src/main.txt');
          const texts = readFileTree(doc).files.reduce((sum, file) => sum + file.text.length, 0);
          let paths = 0;
          for (const record of filesMap(doc).values()) paths += String(record.get('path')).length;
          expect(filesTextLength(doc)).toBe(texts + paths);
        },
      ),
    );
  });
});

describe('trackOtherFilesLength', () => {
  it('follows every change but the text on screen, and a switch of file', () => {
    const doc = new Y.Doc();
    const code = doc.getText('code');
    code.insert(0, 'print(1)\n');
    const id = writeFile(doc, 'a.py', 'x = 1\n');
    const other = readFileTree(doc).files.find((file) => file.id === id)!.text;
    let shown: Y.Text = code;
    const tracked = trackOtherFilesLength(doc, () => shown);
    const expected = () => filesTextLength(doc) - shown.length;
    expect(tracked.chars()).toBe(expected());
    code.insert(0, 'typed on screen ');
    expect(tracked.chars()).toBe(expected());
    other.insert(0, 'someone else ');
    expect(tracked.chars()).toBe(expected());
    movePath(doc, 'a.py', 'src/longer-name.py');
    expect(tracked.chars()).toBe(expected());
    shown = other;
    expect(tracked.chars()).toBe(expected());
    code.insert(0, 'in the entry ');
    other.insert(0, 'here ');
    expect(tracked.chars()).toBe(expected());
    writeFile(doc, 'b.py', 'more');
    expect(tracked.chars()).toBe(expected());
    tracked.destroy();
  });
});
