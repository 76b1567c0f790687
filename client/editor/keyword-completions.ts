import type { Completion, CompletionSource } from '@codemirror/autocomplete';
import type { Language } from '../../shared/protocol.ts';
import { getWordTables } from '../../shared/keywords.ts';
import { editorLanguage } from './editor-language.ts';
import { suggestsByItselfAt } from './suggestion-context.ts';

const cache = new Map<Language, readonly Completion[]>();

/** The language's reserved words as completions, built once per language. */
function keywordCompletions(language: Language): readonly Completion[] {
  let options = cache.get(language);
  if (!options) {
    options = [...getWordTables(language).keywords].map((label) => ({ label, type: 'keyword' }));
    cache.set(language, options);
  }
  return options;
}

/** True when `label` is a reserved word of `language` (the keyword source offers it; others leave it out). */
export function isKeyword(language: Language, label: string): boolean {
  return getWordTables(language).keywords.has(label);
}

/**
 * The keywords of the room's language, answered at once without the
 * server, so `import`, `continue` or `return` are in the list the moment
 * their first letters are typed.
 */
export const keywordCompletionSource: CompletionSource = (context) => {
  const word = context.matchBefore(/[\w$]+$/);
  if (!word) return null;
  if (!context.explicit && !suggestsByItselfAt(context.state, context.pos)) return null;
  const options = keywordCompletions(context.state.facet(editorLanguage));
  if (options.length === 0) return null;
  return { from: word.from, options: options as Completion[], validFor: /^[\w$]*$/ };
};
