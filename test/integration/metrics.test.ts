import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
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
    // Traffic is read at scrape time: totals, which only grow as messages flow.
    const collabIn = value(text, 'pairpad_messages_total{direction="in",protocol="collab"}')!;
    const yjsOutBytes = value(text, 'pairpad_message_bytes_total{direction="out",protocol="yjs"}')!;
    hocus.text.insert(5, ' world');
    await vi.waitFor(() => expect(yjs.text.toString()).toBe('hello world'));
    const later = await scrape();
    expect(value(later, 'pairpad_messages_total{direction="in",protocol="collab"}')).toBeGreaterThan(collabIn);
    expect(value(later, 'pairpad_message_bytes_total{direction="out",protocol="yjs"}')).toBeGreaterThan(yjsOutBytes);
    expect(text).toContain('pairpad_process_resident_memory_bytes');

    hocus.destroy();
    yjs.destroy();
    await vi.waitFor(async () => expect(value(await scrape(), 'pairpad_store_duration_seconds_count')).toBeGreaterThanOrEqual(1));
    await vi.waitFor(async () => expect(value(await scrape(), 'pairpad_journal_write_duration_seconds_count')).toBeGreaterThanOrEqual(1));
  });
});

describe('/metrics of refused messages', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: { METRICS_TOKEN: 'metrics-token-0123456789', MAX_MESSAGE_BYTES: '4096', MAX_DOCUMENT_BYTES: '2048', MAX_MESSAGES_PER_SECOND: '20' },
    });
  });
  afterAll(() => server.close());

  const scrape = async () => {
    const response = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    return response.text();
  };
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
  const rejected = async (reason: string) => value(await scrape(), `pairpad_updates_rejected_total{reason="${reason}"}`);
  const limited = async (limit: string) => value(await scrape(), `pairpad_rate_limited_total{limit="${limit}"}`);

  const closeOf = (path: string, frames: Uint8Array[]) =>
    new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${server.wsUrl}${path}`);
      socket.on('open', () => frames.forEach((frame) => socket.send(frame)));
      socket.on('close', (code) => resolve(code));
      socket.on('error', reject);
    });
  const updateFrame = (update: Uint8Array) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint8Array(encoder, update);
    return encoding.toUint8Array(encoder);
  };
  const updateOf = (change: (doc: Y.Doc) => void) => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    change(doc);
    return updates;
  };

  it('counts each refusal by its reason, and rate-limit hits', async () => {
    const room = (await createRoom(server.baseUrl, { code: 'x' })) as { roomId: string; viewId?: string };

    expect(await closeOf(`/yjs/${room.roomId}`, [new Uint8Array(5000)])).toBe(1009);
    await vi.waitFor(async () => expect(await rejected('too_large')).toBe(1));

    expect(await closeOf(`/yjs/${room.roomId}`, [updateFrame(updateOf((doc) => doc.getText('code').insert(0, 'y'.repeat(1100)))[0])])).toBe(4413);
    expect(await rejected('document_too_large')).toBe(1);

    expect(await closeOf(`/yjs/${room.roomId}`, [new Uint8Array([0, 2, 9, 1, 2])])).toBe(4400);
    expect(await rejected('malformed')).toBe(1);

    const [, second] = updateOf((doc) => {
      doc.getText('code').insert(0, 'a');
      doc.getText('code').insert(1, 'b');
    });
    expect(await closeOf(`/yjs/${room.roomId}`, [updateFrame(second)])).toBe(4400);
    expect(await rejected('missing_dependencies')).toBe(1);

    // A fast sender is paused (counted), not refused (see message-pacing.ts).
    const query = new Uint8Array([3]);
    const flooder = new WebSocket(`${server.wsUrl}/yjs/${room.roomId}`);
    flooder.on('open', () => Array.from({ length: 200 }, () => flooder.send(query)));
    await vi.waitFor(async () => expect(await limited('messages')).toBe(1));
    flooder.terminate();
    expect(await rejected('rate_limited')).toBe(0);

    const names = Array.from({ length: 17 }, (_, i) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, `unknownRoom${String(i).padStart(11, '0')}`);
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint8Array(encoder, new Uint8Array([0]));
      return encoding.toUint8Array(encoder);
    });
    expect(await closeOf('/collab', names)).toBe(4429);
    expect(await limited('socket')).toBe(1);

    const viewer = connectYjsClient(server.wsUrl, room.viewId!);
    await viewer.synced;
    viewer.text.insert(0, 'dropped');
    await vi.waitFor(async () => expect(await rejected('read_only')).toBe(1));
    viewer.destroy();
  });
});
