import type { AutocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import { completeWithEngine, type CompleteInput } from './engine.ts';

export type { CompleteInput } from './engine.ts';
export { createAutocompleter, type Autocompleter, type LocalEngine, type ModelBackendOptions } from './model-backend.ts';
export { chooseWorkerCount, createEnginePool, type EnginePool } from './engine-pool.ts';

/**
 * Completes at the cursor with the local engine only: pure and synchronous
 * (no network, no I/O). Nothing to suggest gives `suggestion: ""`, `items: []`.
 */
export function completeLocally(input: CompleteInput): AutocompleteResponse {
  return completeWithEngine(input);
}
