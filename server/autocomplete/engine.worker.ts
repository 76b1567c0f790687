/**
 * Entry of the autocomplete worker threads (see `engine-pool.ts`): each
 * request runs the engine here, never on the thread that serves sockets.
 */
import type { AutocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import { completeWithEngine, type CompleteInput } from './engine.ts';

/** Languages whose built-in corpus is tokenized at start, so that a fresh worker's first answers fit the budget. */
const WARM_LANGUAGES = ['python', 'typescript', 'javascript', 'c', 'cpp', 'go', 'rust', 'java'];

for (const language of WARM_LANGUAGES) {
  completeWithEngine({ code: 'a = 1\na', cursorPosition: 7, language, limit: 1, clientKey: '\u0000warm-up' });
}

/** Completes one request; `input.deadline` bounds its work (the pool aborts the thread if it overruns anyway). */
export default function completeInWorker(input: CompleteInput): AutocompleteResponse {
  return completeWithEngine(input);
}
