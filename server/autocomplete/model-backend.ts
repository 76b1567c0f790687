import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AutocompleteResponse, CompletionItem } from '../../shared/schemas/autocomplete.schema.ts';
import { completeWithEngine, type CompleteInput } from './engine.ts';
import { createLruCache } from './lru-cache.ts';
import { trimModelText } from './model-text.ts';

/** An OpenAI-compatible completions endpoint that does fill-in-the-middle (llama.cpp server, Ollama, vLLM). */
export interface ModelBackendOptions {
  /** Base URL; the engine POSTs to `{url}/v1/completions`. */
  url: string;
  /** Model name sent as `model`. */
  model: string;
  /** Sent as `Authorization: Bearer …` when set; never logged. */
  apiKey?: string;
  /** Time budget of one model request in milliseconds (default 400); past it the local answer is used. */
  timeoutMs: number;
}

/** Completes with the local engine, and with the model backend when one is configured. */
export interface Autocompleter {
  /** Resolves with the model's completion first when it answers in time, the local engine's otherwise; never rejects. */
  complete(input: CompleteInput): Promise<AutocompleteResponse>;
  /** Aborts every model request in flight; later calls answer locally. */
  close(): void;
}

/** Characters of context sent around the cursor; a model window is bounded, and so is our upload. */
const MAX_PROMPT_CHARS = 16_000;
const MAX_SUFFIX_CHARS = 4_000;
const CACHE_ENTRIES = 256;
const MODEL_SCORE = 1;

class Superseded extends Error {}
class TimedOut extends Error {}

interface CompletionsAnswer {
  choices?: Array<{ text?: unknown }>;
}

function mergeModelText(local: AutocompleteResponse, text: string, limit: number, prefix: string): AutocompleteResponse {
  const label = text.split('\n')[0].trim().slice(0, 80) || text.trim().slice(0, 80);
  const item: CompletionItem = { label, insertText: prefix + text, kind: 'model', detail: 'model', score: MODEL_SCORE };
  const items = [item, ...local.items.filter((other) => other.insertText !== item.insertText)].slice(0, Math.max(1, limit));
  return { suggestion: text, confidence: Math.max(local.confidence, 0.7), type: 'model', from: local.from, to: local.to, items };
}

/** Runs the local engine: on worker threads in the server (`EnginePool.complete`), in-line by default. */
export type LocalEngine = (input: CompleteInput) => Promise<AutocompleteResponse>;

/**
 * Creates the autocompleter the HTTP edge calls. Without `model` it answers
 * with the local engine (`engine`, default: in-line on the calling thread). With one, it also asks the model (prompt = text
 * before the cursor, suffix = text after) within `timeoutMs`, cancels the
 * previous request of the same `clientKey`, caches answers, and falls back
 * to the local engine on timeout or error.
 */
export function createAutocompleter(options: { model?: ModelBackendOptions; log: Logger; engine?: LocalEngine }): Autocompleter {
  const { model, log } = options;
  const completeLocally: LocalEngine = options.engine ?? (async (input) => completeWithEngine(input));
  const inFlight = new Map<string, AbortController>();
  const cache = createLruCache<string, string>(CACHE_ENTRIES);
  const anonymous = new Set<AbortController>();
  let closed = false;

  async function askModel(backend: ModelBackendOptions, prompt: string, suffix: string, signal: AbortSignal): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (backend.apiKey) headers.authorization = `Bearer ${backend.apiKey}`;
    const response = await fetch(`${backend.url.replace(/\/+$/, '')}/v1/completions`, {
      method: 'POST',
      headers,
      signal,
      body: JSON.stringify({
        model: backend.model, prompt, suffix, max_tokens: 64, temperature: 0.2, stop: ['\n\n'],
      }),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`model answered HTTP ${response.status}`);
    }
    const answer = (await response.json()) as CompletionsAnswer;
    const text = answer.choices?.[0]?.text;
    return typeof text === 'string' ? text : '';
  }

  async function completeWithModel(backend: ModelBackendOptions, input: CompleteInput): Promise<AutocompleteResponse> {
    const local = await completeLocally(input);
    const before = input.code.slice(0, input.cursorPosition);
    const after = input.code.slice(input.cursorPosition);
    const prompt = before.slice(-MAX_PROMPT_CHARS);
    const suffix = after.slice(0, MAX_SUFFIX_CHARS);
    const prefix = input.code.slice(local.from, input.cursorPosition);
    const key = createHash('sha256').update(`${backend.model}\u0000${prompt}\u0000${suffix}`).digest('base64url');
    const cached = cache.get(key);
    if (cached !== undefined) return cached === '' ? local : mergeModelText(local, cached, input.limit, prefix);

    const controller = new AbortController();
    const clientKey = input.clientKey;
    if (clientKey !== undefined) {
      inFlight.get(clientKey)?.abort(new Superseded('a newer request of this client arrived'));
      inFlight.set(clientKey, controller);
    } else anonymous.add(controller);
    const timer = setTimeout(() => controller.abort(new TimedOut('model time budget exceeded')), backend.timeoutMs);
    const started = performance.now();
    try {
      const raw = await askModel(backend, prompt, suffix, controller.signal);
      const text = trimModelText(raw, before, after);
      cache.set(key, text);
      return text.trim() === '' ? local : mergeModelText(local, text, input.limit, prefix);
    } catch (error) {
      const elapsedMs = Math.round(performance.now() - started);
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof Superseded) log.debug({ elapsedMs }, 'autocomplete model request superseded');
      else if (reason instanceof TimedOut) log.debug({ elapsedMs, timeoutMs: backend.timeoutMs }, 'autocomplete model timed out');
      else log.warn({ elapsedMs, err: reason instanceof Error ? reason.message : String(reason) }, 'autocomplete model failed');
      return local;
    } finally {
      clearTimeout(timer);
      if (clientKey !== undefined && inFlight.get(clientKey) === controller) inFlight.delete(clientKey);
      anonymous.delete(controller);
    }
  }

  return {
    async complete(input) {
      if (model === undefined || closed) return completeLocally(input);
      return completeWithModel(model, input);
    },
    close() {
      closed = true;
      for (const controller of [...inFlight.values(), ...anonymous]) controller.abort(new Superseded('autocompleter closed'));
      inFlight.clear();
      anonymous.clear();
    },
  };
}
