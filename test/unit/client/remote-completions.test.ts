import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { editorLanguage } from '../../../client/editor/editor-language.ts';
import { mergedCompletionSource } from '../../../client/editor/remote-completions.ts';
import type { SuggestionClient } from '../../../client/editor/suggestion-client.ts';
import type { AutocompleteResponse } from '../../../shared/schemas/autocomplete.schema.ts';

// The completion source without a browser: a fake suggestion client and a
// CompletionContext built on a plain EditorState.
const DOC = 'cargo_manifest = 1\ncalendar = 2\nca';

function contextAtEnd(explicit = true) {
  const state = EditorState.create({ doc: DOC });
  return new CompletionContext(state, state.doc.length, explicit);
}

/** A client whose requests are recorded and answered by `answer` (or never, until aborted). */
function fakeClient(answer?: (signal: AbortSignal) => Promise<AutocompleteResponse | undefined>) {
  const signals: AbortSignal[] = [];
  const client: SuggestionClient = {
    paused: false,
    request(_state, _pos, signal) {
      signals.push(signal);
      if (answer) return answer(signal);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    },
  };
  return { client, signals };
}

// CodeMirror filters the options by the typed word itself; so do the tests.
const labels = (result: CompletionResult | null) => result?.options.map((option) => option.label).filter((label) => label.startsWith('ca'));

describe('mergedCompletionSource', () => {
  it('puts the server’s items first and adds document words it did not list', async () => {
    const { client } = fakeClient(async () => ({
      suggestion: 'lculate',
      confidence: 0.8,
      type: 'identifier',
      from: DOC.length - 2,
      to: DOC.length,
      items: [
        { label: 'calculate', insertText: 'calculate', kind: 'identifier', score: 5 },
        { label: 'calendar', insertText: 'calendar', kind: 'identifier', score: 3 },
      ],
    }));
    const result = await mergedCompletionSource(client)(contextAtEnd());
    expect(labels(result)).toEqual(['calculate', 'calendar', 'cargo_manifest']);
    expect(result?.options[2].type).toBe('text');
  });

  it('aborts the request at its deadline and shows the document words alone', async () => {
    const { client, signals } = fakeClient();
    const started = Date.now();
    const result = await mergedCompletionSource(client, { deadlineMs: 60 })(contextAtEnd());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(true);
    expect(labels(result)?.sort()).toEqual(['calendar', 'cargo_manifest']);
  });

  it('does not abort a request that answers in time', async () => {
    const { client, signals } = fakeClient(async () => undefined);
    await mergedCompletionSource(client, { deadlineMs: 5_000 })(contextAtEnd());
    expect(signals[0].aborted).toBe(false);
  });
});

describe('mergedCompletionSource and keywords', () => {
  it('leaves keywords to the keyword source, so none is listed twice', async () => {
    const doc = 'import os\nimport sys\nim';
    const state = EditorState.create({ doc, extensions: [editorLanguage.of('python')] });
    const { client } = fakeClient(async () => ({
      suggestion: 'port',
      confidence: 0.8,
      type: 'keyword',
      from: doc.length - 2,
      to: doc.length,
      items: [
        { label: 'import', insertText: 'import', kind: 'keyword', score: 5 },
        { label: 'ImportError', insertText: 'ImportError', kind: 'identifier', score: 3 },
      ],
    }));
    const result = await mergedCompletionSource(client)(new CompletionContext(state, doc.length, true));
    expect(result?.options.map((option) => option.label)).toEqual(['ImportError', 'os', 'sys']);
  });
});
