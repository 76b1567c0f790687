import type { EditorState, Text } from '@codemirror/state';
import type { Language } from '../../shared/protocol.ts';
import type { AutocompleteResponse } from '../../shared/schemas/autocomplete.schema.ts';
import { ApiError, type ApiClient } from '../api.ts';

/** Fetches autocomplete answers for the editor; shared by the completion list and the ghost text. */
export interface SuggestionClient {
  /**
   * The answer for `pos` in `state`, or `undefined` when there is none, the
   * request failed, or it was aborted. Never rejects: a failing server must
   * not break the editor. `explicit` is true when the person asked with
   * Ctrl+Space (the server may then answer where it would stay quiet).
   */
  request(state: EditorState, pos: number, signal: AbortSignal, explicit: boolean): Promise<AutocompleteResponse | undefined>;
  /** True while requests are paused after the server failed (requests answer `undefined` at once). */
  readonly paused: boolean;
}

/** Options of {@link createSuggestionClient}. */
export interface SuggestionClientOptions {
  api: ApiClient;
  /** The room, sent instead of the code when the document is large. */
  roomId: string;
  /** The language of the room now. */
  language: () => Language;
  /** Most items asked for; default 12. */
  limit?: number;
  /** Documents longer than this (UTF-16 code units) are referred to by `roomId` instead of sent; default 100,000. */
  maxInlineCode?: number;
  /** How long to stop asking after the endpoint is missing or failing, in ms; default 30,000. */
  failureBackoffMs?: number;
}

/** Creates a {@link SuggestionClient} that remembers the last answer and backs off when the server fails. */
export function createSuggestionClient(options: SuggestionClientOptions): SuggestionClient {
  const maxInlineCode = options.maxInlineCode ?? 100_000;
  const backoffMs = options.failureBackoffMs ?? 30_000;
  let pausedUntil = 0;
  // The server may answer an explicit request where it stays quiet otherwise: part of the key.
  let last: { doc: Text; pos: number; language: Language; explicit: boolean; answer: AutocompleteResponse } | undefined;

  return {
    get paused() {
      return Date.now() < pausedUntil;
    },
    async request(state, pos, signal, explicit) {
      const language = options.language();
      if (last && last.doc === state.doc && last.pos === pos && last.language === language && last.explicit === explicit) return last.answer;
      if (Date.now() < pausedUntil || signal.aborted) return undefined;
      const doc = state.doc;
      const inline = doc.length <= maxInlineCode;
      try {
        const answer = await options.api.autocomplete(
          {
            ...(inline ? { code: doc.toString() } : { roomId: options.roomId }),
            cursorPosition: pos,
            language,
            limit: options.limit ?? 12,
            explicit,
          },
          signal,
        );
        last = { doc, pos, language, explicit, answer };
        return answer;
      } catch (error) {
        if (signal.aborted) return undefined;
        // 400 means this one request was unusual; anything else (endpoint
        // missing, rate limit, server down) means "stop asking for a while".
        if (!(error instanceof ApiError && error.status === 400)) pausedUntil = Date.now() + backoffMs;
        return undefined;
      }
    },
  };
}
