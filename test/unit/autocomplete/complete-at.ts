import { completeLocally } from '../../../server/autocomplete/index.ts';
import { autocompleteResponse, type AutocompleteResponse } from '../../../shared/schemas/autocomplete.schema.ts';

/** Completes `text` at its `|` marker (removed), checking the answer against the shared schema; `explicit` as Ctrl+Space sends it. */
export function completeAt(text: string, language: string, limit = 10, explicit = false): AutocompleteResponse {
  const cursorPosition = text.indexOf('|');
  if (cursorPosition < 0) throw new Error('no | cursor marker in the test text');
  const code = text.slice(0, cursorPosition) + text.slice(cursorPosition + 1);
  return autocompleteResponse.parse(completeLocally({ code, cursorPosition, language, limit, explicit }));
}

/** The labels of an answer's items, in rank order. */
export function labelsOf(response: AutocompleteResponse): string[] {
  return response.items.map((item) => item.label);
}
