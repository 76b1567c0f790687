import { CompletionContext } from '@codemirror/autocomplete';
import { ensureSyntaxTree, type Language as CodeMirrorLanguage } from '@codemirror/language';
import { javascriptLanguage } from '@codemirror/lang-javascript';
import { pythonLanguage } from '@codemirror/lang-python';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { editorLanguage } from '../../../client/editor/editor-language.ts';
import { keywordCompletionSource } from '../../../client/editor/keyword-completions.ts';
import { isInProse, suggestsByItselfAt } from '../../../client/editor/suggestion-context.ts';
import type { Language } from '../../../shared/protocol.ts';

/** A parsed state and the cursor where `|` is in `text`. */
function stateAt(text: string, grammar: CodeMirrorLanguage, language: Language): { state: EditorState; pos: number } {
  const pos = text.indexOf('|');
  const state = EditorState.create({ doc: text.replace('|', ''), extensions: [grammar, editorLanguage.of(language)] });
  ensureSyntaxTree(state, state.doc.length, 5_000);
  return { state, pos };
}
const python = (text: string) => stateAt(text, pythonLanguage, 'python');
const javascript = (text: string) => stateAt(text, javascriptLanguage, 'javascript');
const byItself = ({ state, pos }: { state: EditorState; pos: number }) => suggestsByItselfAt(state, pos);

describe('suggestsByItselfAt', () => {
  it('says yes while a word is typed in code', () => {
    expect(byItself(python('import sy|'))).toBe(true);
    expect(byItself(python('for x in items:\n    con|'))).toBe(true);
    expect(byItself(javascript('console.log(fi|)'))).toBe(true);
    expect(byItself(python('x = "done"\nre|'))).toBe(true);
  });

  it('says no in comments and strings, at their end too while they are open', () => {
    expect(byItself(python('# loop over the array once|'))).toBe(false);
    expect(byItself(python('print(answer)  # expect 0 and 1|'))).toBe(false);
    expect(byItself(javascript('// keep a map of seen values|'))).toBe(false);
    expect(byItself(javascript('/* a block co|mment */'))).toBe(false);
    expect(byItself(python('x = "some wor|"'))).toBe(false);
    expect(byItself(python('x = "unterminated wor|'))).toBe(false);
    expect(byItself(javascript('const s = `templ|`'))).toBe(false);
  });

  it('says yes right after a closed string or block comment', () => {
    const closed = python('x = "abc"|');
    expect(isInProse(closed.state, closed.pos)).toBe(false);
    const block = javascript('/* done */|');
    expect(isInProse(block.state, block.pos)).toBe(false);
  });

  it('says no on a blank line and after a closing bracket', () => {
    expect(byItself(python('for x in items:\n    |'))).toBe(false);
    expect(byItself(python('|'))).toBe(false);
    expect(byItself(python('add(1, 2)|'))).toBe(false);
    expect(byItself(python('add(1, 2) |'))).toBe(false);
    expect(byItself(javascript('items[0]|'))).toBe(false);
  });
});

describe('keywordCompletionSource', () => {
  const run = (at: { state: EditorState; pos: number }, explicit = false) =>
    keywordCompletionSource(new CompletionContext(at.state, at.pos, explicit));

  it('offers the language’s keywords at once, from the typed word', () => {
    const result = run(python('imp|'));
    expect(result && 'options' in result ? result.options.map((o) => o.label) : []).toContain('import');
    expect(result && 'from' in result ? result.from : -1).toBe(0);
    const js = run(javascript('ret|'));
    expect(js && 'options' in js ? js.options.map((o) => o.label) : []).toContain('return');
  });

  it('stays quiet in a comment unless asked with Ctrl+Space', () => {
    expect(run(python('# imp|'))).toBeNull();
    expect(run(python('# imp|'), true)).not.toBeNull();
  });
});
