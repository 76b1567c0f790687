/**
 * Issue 13: one autocomplete request of pathological code froze every room.
 * The engine now runs on worker threads within a time budget; while such
 * requests keep arriving, the socket thread still answers `/livez` and relays
 * keystrokes, and each pathological request answers 200. Behaviour only: the
 * latencies are figures of `npm run bench:autocomplete-isolation`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient, type TestClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';
import { PATHOLOGICAL_REQUESTS } from '../bench/autocomplete/pathological.ts';

let server: TestServer;
let writer: TestClient;
let reader: TestClient;

beforeAll(async () => {
  // The default budget, and the default rate limit the flood is paced to.
  server = await startTestServer({ env: { RATE_LIMIT_AUTOCOMPLETE: '600' } });
  const { roomId } = await createRoom(server.baseUrl, { language: 'python' });
  writer = connectClient(server.wsUrl, roomId);
  reader = connectClient(server.wsUrl, roomId);
  await Promise.all([writer.synced, reader.synced]);
});

afterAll(async () => {
  writer?.destroy();
  reader?.destroy();
  await server?.close();
});

/** Sends the pathological requests in turn, one every 100 ms (600 a minute, the default limit), until stopped. */
function startFlood(baseUrl: string): { statuses: number[]; stop: () => Promise<void> } {
  const statuses: number[] = [];
  const pending = new Set<Promise<void>>();
  const bodies = PATHOLOGICAL_REQUESTS.map((request) => JSON.stringify(request.body));
  let sent = 0;
  const send = (): void => {
    const body = bodies[sent++ % bodies.length];
    const request = fetch(`${baseUrl}/api/autocomplete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then(async (response) => {
        statuses.push(response.status);
        await response.arrayBuffer();
      })
      .finally(() => pending.delete(request));
    pending.add(request);
  };
  send();
  const timer = setInterval(send, 100);
  return {
    statuses,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

describe('autocomplete off the socket thread', () => {
  it('answers /livez and relays keystrokes while pathological requests keep arriving, and answers each of them 200', async () => {
    const flood = startFlood(server.baseUrl);
    try {
      // Let the flood reach every payload at least once before measuring anything.
      await vi.waitFor(() => expect(flood.statuses.length).toBeGreaterThanOrEqual(PATHOLOGICAL_REQUESTS.length), { timeout: 60_000, interval: 50 });
      for (let keystroke = 0; keystroke < 10; keystroke++) {
        const live = await fetch(`${server.baseUrl}/livez`);
        expect(live.status).toBe(200);
        writer.text.insert(writer.text.length, String.fromCharCode(97 + keystroke));
        const expected = writer.text.toString();
        await vi.waitFor(() => expect(reader.text.toString()).toBe(expected), { timeout: 30_000, interval: 5 });
      }
    } finally {
      await flood.stop();
    }
    expect(flood.statuses.length).toBeGreaterThanOrEqual(PATHOLOGICAL_REQUESTS.length);
    expect(new Set(flood.statuses)).toEqual(new Set([200]));
  });

  it('answers each pathological request 200 with at most a few items', async () => {
    for (const { name, body } of PATHOLOGICAL_REQUESTS) {
      const response = await fetch(`${server.baseUrl}/api/autocomplete`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      expect(response.status, name).toBe(200);
      const answer = (await response.json()) as { items: unknown[] };
      expect(answer.items.length, name).toBeLessThanOrEqual(10);
    }
  });

  it('still completes ordinary code at once after the flood (the terminated threads were replaced)', async () => {
    const code = 'calculate_total = 0\nfor item in items:\n    calculate_total += item\nprint(calc';
    await vi.waitFor(async () => {
      const response = await fetch(`${server.baseUrl}/api/autocomplete`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, cursorPosition: code.length, language: 'python' }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { items: Array<{ label: string }> }).items[0]?.label).toBe('calculate_total');
    }, { timeout: 30_000, interval: 100 });
  });
});
