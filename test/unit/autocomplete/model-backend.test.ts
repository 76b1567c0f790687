import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { completeLocally, createAutocompleter, type CompleteInput } from '../../../server/autocomplete/index.ts';
import { startCompletionsServer, type CompletionsServer } from './completions-server.ts';

const API_KEY = 'sk-test-secret-123';
const CODE = 'def greet(name):\n    return "hi " + name\n\ndef main():\n    gre';
const INPUT: CompleteInput = {
  code: CODE,
  cursorPosition: CODE.length,
  language: 'python',
  limit: 5,
};

const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const resource of opened.splice(0).reverse()) await resource.close();
});

function createLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { log, lines };
}

async function startServer(respond: Parameters<typeof startCompletionsServer>[0]): Promise<CompletionsServer> {
  const server = await startCompletionsServer(respond);
  opened.push(server);
  return server;
}

function createWithModel(server: CompletionsServer, timeoutMs: number, log = createLog().log) {
  const autocompleter = createAutocompleter({ model: { url: server.url, model: 'tiny-coder', apiKey: API_KEY, timeoutMs }, log });
  opened.push(autocompleter);
  return autocompleter;
}

describe('model backend', () => {
  it('asks the completions endpoint with fill-in-the-middle and puts the answer first', async () => {
    const server = await startServer((request) => request.answer('et(name)\n    print(x)\n'));
    const answer = await createWithModel(server, 2_000).complete(INPUT);
    const [request] = server.received;
    expect(request.path).toBe('/v1/completions');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.body).toMatchObject({
      model: 'tiny-coder', prompt: INPUT.code, suffix: '', max_tokens: expect.any(Number),
      temperature: expect.any(Number), stop: expect.any(Array),
    });
    expect(answer.type).toBe('model');
    expect(answer.suggestion).toBe('et(name)');
    expect(answer.items[0]).toMatchObject({ kind: 'model', insertText: 'greet(name)', label: 'et(name)' });
    expect(answer.items.length).toBeLessThanOrEqual(INPUT.limit);
  });

  it('sends the text after a mid-document cursor as suffix', async () => {
    const server = await startServer((request) => request.answer('et(name)'));
    const code = 'def greet(name):\n    return name\n\ndef main():\n    gre\n    print("done")\n';
    const cursorPosition = code.indexOf('gre\n') + 3;
    const answer = await createWithModel(server, 2_000).complete({ ...INPUT, code, cursorPosition });
    expect(server.received[0].body).toMatchObject({ prompt: code.slice(0, cursorPosition), suffix: '\n    print("done")\n' });
    expect(answer.items[0]).toMatchObject({ kind: 'model', insertText: 'greet(name)' });
  });

  it('falls back to the local engine when the model answers malformed JSON', async () => {
    const server = await startServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [{"text": "et('));
    const { log, lines } = createLog();
    const answer = await createWithModel(server, 2_000, log).complete(INPUT);
    expect(answer).toEqual(completeLocally(INPUT));
    expect(answer.items[0].label).toBe('greet');
    expect(lines.some((line) => line.includes('autocomplete model failed'))).toBe(true);
  });

  it('falls back to the local engine when the model is too slow, and aborts the request', async () => {
    const server = await startServer(() => undefined);
    const { log, lines } = createLog();
    const answer = await createWithModel(server, 100, log).complete(INPUT);
    expect(answer).toEqual(completeLocally(INPUT));
    expect(answer.items[0].label).toBe('greet');
    await server.received[0].aborted;
    expect(lines.some((line) => line.includes('timed out'))).toBe(true);
  });

  it('falls back to the local engine on a 500, logging without secrets', async () => {
    const server = await startServer((_, response) => response.writeHead(500).end('boom'));
    const { log, lines } = createLog();
    const answer = await createWithModel(server, 2_000, log).complete(INPUT);
    expect(answer).toEqual(completeLocally(INPUT));
    const warning = lines.find((line) => line.includes('autocomplete model failed'));
    expect(warning).toContain('500');
    expect(lines.join('\n')).not.toContain(API_KEY);
    expect(lines.join('\n')).not.toContain('def greet');
  });

  it('falls back when nothing listens at the url', async () => {
    const server = await startServer(() => undefined);
    const url = server.url;
    await server.close();
    const autocompleter = createAutocompleter({ model: { url, model: 'm', timeoutMs: 2_000 }, log: createLog().log });
    opened.push(autocompleter);
    expect(await autocompleter.complete(INPUT)).toEqual(completeLocally(INPUT));
  });

  it('cancels the previous request of the same client when a newer one arrives', async () => {
    const server = await startServer((request) => {
      if (String(request.body.prompt).endsWith('gree')) request.answer('t(name)');
    });
    const autocompleter = createWithModel(server, 10_000);
    const older = autocompleter.complete({ ...INPUT, clientKey: 'alice' });
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    const newerInput = { ...INPUT, code: `${INPUT.code}e`, cursorPosition: INPUT.cursorPosition + 1, clientKey: 'alice' };
    const newer = await autocompleter.complete(newerInput);
    await server.received[0].aborted;
    expect(await older).toEqual(completeLocally(INPUT));
    expect(newer.items[0]).toMatchObject({ kind: 'model', insertText: 'greet(name)' });
  });

  it('does not cancel requests of other clients', async () => {
    const server = await startServer((request) => {
      if (server.received.length === 2) for (const each of server.received) each.answer('et()');
    });
    const autocompleter = createWithModel(server, 10_000);
    const answers = await Promise.all([
      autocompleter.complete({ ...INPUT, clientKey: 'alice' }),
      autocompleter.complete({ ...INPUT, code: `${INPUT.code}\n`, clientKey: 'bob' }),
    ]);
    expect(answers.map((answer) => answer.type)).toEqual(['model', 'model']);
  });

  it('answers a repeated request from its cache', async () => {
    const server = await startServer((request) => request.answer('et(name)'));
    const autocompleter = createWithModel(server, 2_000);
    const first = await autocompleter.complete(INPUT);
    const second = await autocompleter.complete(INPUT);
    expect(server.received).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it('aborts requests in flight on close and answers locally afterwards', async () => {
    const server = await startServer(() => undefined);
    const autocompleter = createWithModel(server, 10_000);
    const pending = autocompleter.complete({ ...INPUT, clientKey: 'carol' });
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    autocompleter.close();
    expect(await pending).toEqual(completeLocally(INPUT));
    await server.received[0].aborted;
    expect(await autocompleter.complete(INPUT)).toEqual(completeLocally(INPUT));
    expect(server.received).toHaveLength(1);
  });

  it('answers locally when no model is configured', async () => {
    const autocompleter = createAutocompleter({ log: createLog().log });
    expect(await autocompleter.complete(INPUT)).toEqual(completeLocally(INPUT));
  });
});
