/**
 * Entry of the autocomplete worker threads (see `engine-pool.ts`): each
 * request runs the engine here, never on the thread that serves sockets.
 */
import type { AutocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import type { Language } from '../../shared/protocol.ts';
import { getCorpus } from './corpus/index.ts';
import { completeWithEngine, type CompleteInput } from './engine.ts';

/** Languages whose built-in corpus is tokenized at start, so that a fresh worker's first answers fit the budget. */
const WARM_LANGUAGES = ['python', 'typescript', 'javascript', 'c', 'cpp', 'go', 'rust', 'java'];

for (const language of WARM_LANGUAGES) {
  completeWithEngine({ code: 'a = 1\na', cursorPosition: 7, language, limit: 1, clientKey: '\u0000warm-up' });
}
warmUpTyping();

/**
 * Someone typing a word into the middle of a file of 30 KB, in a few
 * languages: the parse, the incremental reparse and the ranking are compiled
 * by the JIT here, at the thread's start, instead of during the first
 * person's requests (a fresh thread answered its first caller's keystrokes
 * in up to 50 ms at p99 where later callers got 16–20 ms).
 */
function warmUpTyping(): void {
  for (const language of ['python', 'typescript', 'c']) {
    const sample = getCorpus(language as Language).code;
    let code = sample.repeat(Math.max(1, Math.ceil(30_000 / Math.max(1, sample.length))));
    let cursor = code.indexOf('\n', code.length >> 1) + 1;
    code = `${code.slice(0, cursor)}\n${code.slice(cursor)}`;
    cursor += 1;
    for (const key of 'result = self.value') {
      code = code.slice(0, cursor) + key + code.slice(cursor);
      cursor += 1;
      completeWithEngine({ code, cursorPosition: cursor, language, limit: 10, clientKey: '\u0000warm-up-typing' });
    }
  }
}

/** Completes one request; `input.deadline` bounds its work (the pool aborts the thread if it overruns anyway). */
export default function completeInWorker(input: CompleteInput): AutocompleteResponse {
  return completeWithEngine(input);
}
