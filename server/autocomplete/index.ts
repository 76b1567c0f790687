import type { AutocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import { completeWithEngine, type LocalRequest } from './engine.ts';

export { createAutocompleter, type ModelBackendOptions, type Autocompleter } from './model-backend.ts';

/** One completion request, as the HTTP edge passes it on after validating it. */
export interface CompleteInput extends LocalRequest {
  /** The code to complete in. */
  code: string;
  /** Cursor offset in UTF-16 code units, `0..code.length` (checked by the caller). */
  cursorPosition: number;
  /** Language of the code; anything unknown is completed as `plaintext`. */
  language: string;
  /** Most items to return, 1..50. */
  limit: number;
  /** Identifies the typing client: newer requests cancel its older model request, and its reparse is incremental. */
  clientKey?: string;
}

/**
 * Completes at the cursor with the local engine only: pure and synchronous
 * (no network, no I/O). Nothing to suggest gives `suggestion: ""`, `items: []`.
 */
export function completeLocally(input: CompleteInput): AutocompleteResponse {
  return completeWithEngine(input);
}
