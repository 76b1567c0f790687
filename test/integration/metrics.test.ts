import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectClient, connectYjsClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';

describe('/metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { METRICS_TOKEN: 'metrics-token-0123456789' } });
  });
  afterAll(() => server.close());

  const scrape = async () => {
    const response = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('refuses a scrape without the token', async () => {
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('unauthorized');
    expect((await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('counts connections by protocol, loaded rooms, traffic, stores and autocomplete', async () => {
    const { roomId } = await createRoom(server.baseUrl);
    const hocus = connectClient(server.wsUrl, roomId);
    const yjs = connectYjsClient(server.wsUrl, roomId);
    await Promise.all([hocus.synced, yjs.synced]);
    hocus.text.insert(0, 'hello');
    await vi.waitFor(() => expect(yjs.text.toString()).toBe('hello'));
    await fetch(`${server.baseUrl}/api/autocomplete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'hello h', cursorPosition: 7, language: 'python' }),
    });

    const text = await scrape();
    expect(value(text, 'pairpad_connections{protocol="collab"}')).toBe(1);
    expect(value(text, 'pairpad_connections{protocol="yjs"}')).toBe(1);
    expect(value(text, 'pairpad_rooms_loaded')).toBe(1);
    expect(value(text, 'pairpad_messages_total{direction="in",protocol="collab"}')).toBeGreaterThan(0);
    expect(value(text, 'pairpad_message_bytes_total{direction="out",protocol="yjs"}')).toBeGreaterThan(0);
    expect(value(text, 'pairpad_autocomplete_duration_seconds_count')).toBe(1);
    expect(text).toContain('pairpad_process_resident_memory_bytes');

    hocus.destroy();
    yjs.destroy();
    await vi.waitFor(async () => expect(value(await scrape(), 'pairpad_store_duration_seconds_count')).toBeGreaterThanOrEqual(1));
    await vi.waitFor(async () => expect(value(await scrape(), 'pairpad_journal_write_duration_seconds_count')).toBeGreaterThanOrEqual(1));
  });
});
