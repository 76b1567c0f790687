import type { AutocompleteResponse, CompletionType } from '../../shared/schemas/autocomplete.schema.ts';

/** Longest ghost text shown, in characters and lines; longer suggestions are cut. */
export const MAX_GHOST_CHARS = 400;
export const MAX_GHOST_LINES = 6;

/**
 * The inline ("ghost") text to show after the cursor for an autocomplete
 * answer, or `undefined` for none. `suggestion` is what to insert at the
 * cursor: the rest of the word being typed (`from..to` is that word's typed
 * part), or what usually follows (` == "__main__":`). `restOfLine` is the
 * text after the cursor: when there is some (`console.log(fi|)`), only the
 * rest of the word is shown, never punctuation that would clash with it.
 */
export function ghostTextFor(
  answer: Pick<AutocompleteResponse, 'suggestion' | 'confidence' | 'to'>,
  cursor: number,
  minConfidence: number,
  restOfLine = '',
): string | undefined {
  if (answer.suggestion === '' || answer.confidence < minConfidence || answer.to !== cursor) return undefined;
  if (restOfLine.trim() !== '') return /^[\w$]*/.exec(answer.suggestion)?.[0] || undefined;
  const lines = answer.suggestion.slice(0, MAX_GHOST_CHARS).split('\n').slice(0, MAX_GHOST_LINES);
  const result = lines.join('\n').replace(/\s+$/, '');
  return result === '' ? undefined : result;
}

/** The CodeMirror completion icon (`Completion.type`) for a kind of suggestion. */
export function completionIconType(kind: CompletionType): string {
  switch (kind) {
    case 'identifier':
      return 'variable';
    case 'member':
      return 'property';
    case 'keyword':
      return 'keyword';
    case 'snippet':
      return 'text';
    case 'line':
      return 'text';
    case 'model':
      return 'text';
    default:
      return assertNever(kind);
  }
}

/** True when `insertText` has `${1:name}` style fields and must be applied as a snippet. */
export function hasSnippetFields(insertText: string): boolean {
  return /\$\{[^}]*\}/.test(insertText);
}

function assertNever(value: never): never {
  throw new Error(`unexpected completion kind ${String(value)}`);
}
