import { completeAnyWord, snippet, type Completion, type CompletionContext, type CompletionResult, type CompletionSource } from '@codemirror/autocomplete';
import type { Language } from '../../shared/protocol.ts';
import type { CompletionItem } from '../../shared/schemas/autocomplete.schema.ts';
import { editorLanguage } from './editor-language.ts';
import { isKeyword } from './keyword-completions.ts';
import { suggestsByItselfAt } from './suggestion-context.ts';
import { completionIconType, hasSnippetFields } from './suggestion.ts';
import type { SuggestionClient } from './suggestion-client.ts';

/** Options of {@link mergedCompletionSource}. */
export interface MergedCompletionOptions {
  /** Quiet time after the last keystroke before asking the server, in ms; default 150. */
  debounceMs?: number;
  /** Longest wait for the server before showing document words alone, in ms; default 600. */
  deadlineMs?: number;
}

/**
 * One completion source for the server's suggestions (`POST
 * /api/autocomplete`) and the words of the document, merged into one
 * list without duplicates, the server's items first in its order. The
 * server is asked after a short pause, the request is aborted as soon as
 * the document changes again or the deadline passes, and then (or on any
 * failure) the document words are shown alone, so typing is never held up.
 * Keywords are left to `keywordCompletionSource`, which answers at once,
 * so no word is listed twice. Nothing opens by itself where
 * `suggestsByItselfAt` says no (comments, strings, blank lines).
 */
export function mergedCompletionSource(client: SuggestionClient, options: MergedCompletionOptions = {}): CompletionSource {
  const debounceMs = options.debounceMs ?? 150;
  const deadlineMs = options.deadlineMs ?? 600;
  return async (context) => {
    const word = context.matchBefore(/[\w$]+$/);
    const afterDot = context.pos > 0 && context.state.sliceDoc(context.pos - 1, context.pos) === '.';
    if (!context.explicit && ((!word && !afterDot) || !suggestsByItselfAt(context.state, context.pos))) return null;
    const language = context.state.facet(editorLanguage);

    const words = Promise.resolve(completeAnyWord(context)).catch(() => null);
    const controller = new AbortController();
    let superseded = false;
    context.addEventListener('abort', () => {
      superseded = true;
      controller.abort();
    }, { onDocChange: true });
    // Past the deadline the answer would be dropped anyway: stop the request
    // too, so a slow server is not kept busy and the connection is freed.
    const remote = await withDeadline(askServer(client, context, controller.signal, debounceMs), deadlineMs, () => controller.abort());
    const local = await words;
    if (superseded) return null;
    return mergeResults(remote, local, context.pos, language);
  };
}

async function askServer(client: SuggestionClient, context: CompletionContext, signal: AbortSignal, debounceMs: number): Promise<CompletionResult | null> {
  if (client.paused) return null;
  if (!context.explicit && !(await waitFor(debounceMs, signal))) return null;
  const answer = await client.request(context.state, context.pos, signal, context.explicit);
  if (!answer || signal.aborted || answer.items.length === 0) return null;
  const word = context.matchBefore(/[\w$]+$/);
  const from = answer.from <= context.pos && answer.to === context.pos ? answer.from : (word?.from ?? context.pos);
  return { from, to: context.pos, options: answer.items.map(toCompletion) };
}

function mergeResults(remote: CompletionResult | null, local: CompletionResult | null, pos: number, language: Language): CompletionResult | null {
  // Snippets named like a keyword (`for` → a whole loop) stay.
  const notKeyword = (option: Completion) => !isKeyword(language, option.label) || (option.apply !== undefined && option.apply !== option.label);
  if (!remote) return local && { ...local, options: local.options.filter(notKeyword), validFor: undefined };
  const labels = new Set(remote.options.map((option) => option.label));
  // Document words only fit the list when they replace the same range.
  const words = local && local.from === remote.from ? local.options.filter((option) => !labels.has(option.label)) : [];
  return {
    from: remote.from,
    to: pos,
    options: [...remote.options, ...words].filter(notKeyword),
    // Filtering while the user keeps typing the same word reuses this list.
    validFor: /^[\w$]*$/,
  };
}

function toCompletion(item: CompletionItem, rank: number): Completion {
  return {
    label: item.label,
    detail: item.detail,
    type: completionIconType(item.kind),
    apply: hasSnippetFields(item.insertText) ? snippet(item.insertText) : item.insertText,
    // Keep the server's ranking and put its items above plain document words.
    boost: Math.max(1, 40 - rank),
  };
}

function waitFor(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => resolve(!signal.aborted), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(false);
    }, { once: true });
  });
}

function withDeadline<T>(promise: Promise<T | null>, ms: number, onTimeout: () => void): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      onTimeout();
      resolve(null);
    }, ms);
    void promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}
