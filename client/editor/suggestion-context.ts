import { syntaxTree } from '@codemirror/language';
import type { EditorState } from '@codemirror/state';

// Lezer grammars name these nodes Comment, LineComment, String,
// FormatString, TemplateString…; legacy stream modes `comment`, `string`.
const PROSE_NODE = /comment|string/i;
const CLOSING_BRACKET = /[)\]}]\s*$/;

/**
 * Whether suggestions may appear by themselves (the list opening while
 * typing, ghost text) at `pos`: not in a comment or string, not on a blank
 * line (the person is about to indent or dedent), and not right after a
 * closing bracket with no word begun. Ctrl+Space ignores this.
 */
export function suggestsByItselfAt(state: EditorState, pos: number): boolean {
  const line = state.doc.lineAt(pos);
  const before = state.sliceDoc(line.from, pos);
  if (before.trim() === '') return false;
  if (CLOSING_BRACKET.test(before)) return false;
  return !isInProse(state, pos);
}

/** True when `pos` is inside a comment or a string literal (its end counts while the literal is open). */
export function isInProse(state: EditorState, pos: number): boolean {
  for (let node: ReturnType<ReturnType<typeof syntaxTree>['resolveInner']> | null = syntaxTree(state).resolveInner(pos, -1); node; node = node.parent) {
    if (!PROSE_NODE.test(node.name)) continue;
    if (pos < node.to) return true;
    // At its end: a line comment runs on to the end of the line, a string only while unterminated.
    if (/comment/i.test(node.name)) return !state.sliceDoc(node.from, node.to).endsWith('*/');
    return !isClosedString(state.sliceDoc(node.from, node.to));
  }
  return false;
}

function isClosedString(text: string): boolean {
  const body = text.replace(/^[A-Za-z]*/, '');
  return body.length >= 2 && body[body.length - 1] === body[0];
}
