import { Facet } from '@codemirror/state';
import type { Language } from '../../shared/protocol.ts';

/**
 * The room's language as the editor knows it (set with the language mode in
 * `createEditor`), for completion sources that must answer without asking
 * the server; `plaintext` until a language is applied.
 */
export const editorLanguage = Facet.define<Language, Language>({
  combine: (values) => values[values.length - 1] ?? 'plaintext',
});
