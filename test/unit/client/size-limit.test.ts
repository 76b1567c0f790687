import { EditorState } from '@codemirror/state';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sizeLimit } from '../../../client/editor/size-limit.ts';

const limits = { maxDocumentBytes: 64 * 1024, maxMessageBytes: 16 * 1024 };

function editorWith(doc: string, extraChars = 0) {
  const refusals: string[] = [];
  const state = EditorState.create({ doc, extensions: sizeLimit({ limits: () => limits, extraChars: () => extraChars, onRefused: (message) => refusals.push(message) }) });
  return { state, refusals };
}

/** UTF-8 bytes of `text`, as the server would receive them. */
const utf8 = (text: string) => new TextEncoder().encode(text).length;

describe('the editor size guard', () => {
  it('passes typing and deletions, whatever the document', () => {
    const { state, refusals } = editorWith('a'.repeat(limits.maxDocumentBytes / 2));
    expect(state.update({ changes: { from: 0, to: 10 } }).state.doc.length).toBe(limits.maxDocumentBytes / 2 - 10);
    expect(refusals).toEqual([]);
  });

  it('refuses growth past MAX_DOCUMENT_BYTES (2 bytes per code unit, title and language included)', () => {
    const { state, refusals } = editorWith('a'.repeat(limits.maxDocumentBytes / 2 - 20), 10);
    expect(state.update({ changes: { from: 0, insert: 'b'.repeat(10) } }).state.doc.length).toBe(limits.maxDocumentBytes / 2 - 10);
    expect(state.update({ changes: { from: 0, insert: 'b'.repeat(11) } }).state.doc.length).toBe(limits.maxDocumentBytes / 2 - 20);
    expect(refusals).toHaveLength(1);
  });

  it('lets through any paste that fits in one message and refuses any that does not', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12_000 }), (text) => {
        const { state, refusals } = editorWith('');
        const after = state.update({ changes: { from: 0, insert: text } }).state;
        // Whatever passes fits the server's message limit, frame included.
        if (refusals.length === 0) expect(utf8(after.doc.toString()) + 1024).toBeLessThanOrEqual(limits.maxMessageBytes + after.doc.lines);
        else expect(after.doc.length).toBe(0);
        // Anything clearly small passes.
        if (utf8(text) + text.split('\n').length + 1024 <= limits.maxMessageBytes) expect(refusals).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
