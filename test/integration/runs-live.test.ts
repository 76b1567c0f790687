import { randomBytes } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { YJS_RUN_EVENT_MESSAGE } from '../../shared/protocol.ts';
import { parseRunEvent, type RunEvent } from '../../shared/schemas/run-event.schema.ts';
import { createPostgresDatabase, testDatabaseUrl, testRedisUrl } from '../support/databases.ts';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { createRoom, startTestServer, type TestServer } from '../support/server.ts';
import { PROGRAMS, setUpRunner, startRun, waitForRunOver } from '../support/runs.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends { destroy(): void } | { close(): Promise<void> }>(thing: T): T {
  cleanups.push(() => ('destroy' in thing ? thing.destroy() : thing.close()));
  return thing;
}

/** Every run event a `/collab` client hears. */
function hearCollab(client: TestClient): RunEvent[] {
  const heard: RunEvent[] = [];
  client.provider.on('stateless', ({ payload }: { payload: string }) => {
    const event = parseRunEvent(payload);
    if (event) heard.push(event);
  });
  return heard;
}

/** Every run event an opted-in `/yjs` client hears, through y-websocket's documented `messageHandlers`. */
function hearYjs(client: YjsTestClient): RunEvent[] {
  const heard: RunEvent[] = [];
  client.provider.messageHandlers[YJS_RUN_EVENT_MESSAGE] = (_encoder: unknown, decoder: decoding.Decoder) => {
    const event = parseRunEvent(decoding.readVarString(decoder));
    if (event) heard.push(event);
  };
  return heard;
}

/** What the events say: the order of their types and the output joined. */
function summarise(events: RunEvent[], runId: string) {
  const mine = events.filter((event) => ('runId' in event ? event.runId : event.run.runId) === runId);
  const outputs = mine.filter((event) => event.type === 'run.output');
  return {
    types: [...new Set(mine.map((event) => event.type))],
    output: outputs.flatMap((event) => event.chunks.map(([, text]) => text)).join(''),
    seqs: outputs.map((event) => event.seq),
    outputEvents: outputs.length,
    ended: mine.find((event) => event.type === 'run.ended'),
    queued: mine.find((event) => event.type === 'run.queued'),
  };
}

async function roomIds(server: TestServer, program: { language: string; code: string }) {
  const room = await createRoom(server.baseUrl, program);
  const { viewId } = (await (await fetch(`${server.baseUrl}/api/rooms/${room.roomId}`)).json()) as any;
  return { roomId: room.roomId, viewId: viewId as string };
}

describe('everyone in the room sees a run live', () => {
  it('on /collab (editors and viewers) and on /yjs when opted in; stock y-websocket clients that did not opt in get nothing', async () => {
    const runner = track(await setUpRunner('piston'));
    const server = await startTestServer({ env: runner.env });
    cleanups.push(() => server.close());
    const { roomId, viewId } = await roomIds(server, PROGRAMS.lines);
    const editor = track(connectClient(server.wsUrl, roomId));
    const viewer = track(connectClient(server.wsUrl, viewId));
    const optedIn = track(connectYjsClient(server.wsUrl, roomId, { events: 'runs' }));
    const plain = track(connectYjsClient(server.wsUrl, roomId));
    const errors = vi.spyOn(console, 'error');
    cleanups.push(() => errors.mockRestore());
    await Promise.all([editor.synced, viewer.synced, optedIn.synced, plain.synced]);
    const heard = { editor: hearCollab(editor), viewer: hearCollab(viewer), optedIn: hearYjs(optedIn) };
    const viewerPayloads: string[] = [];
    viewer.provider.on('stateless', ({ payload }: { payload: string }) => viewerPayloads.push(payload));
    const plainHeard: unknown[] = [];
    plain.provider.messageHandlers[YJS_RUN_EVENT_MESSAGE] = () => plainHeard.push(1);

    const runId = await startRun(server.baseUrl, roomId, { name: 'Ada' });
    const run = await waitForRunOver(server.baseUrl, roomId, runId);
    expect(run.status).toBe('finished');
    for (const events of Object.values(heard)) {
      await vi.waitFor(() => expect(summarise(events, runId).ended).toBeDefined(), { timeout: 10_000 });
      const seen = summarise(events, runId);
      expect(seen.types).toEqual(['run.queued', 'run.started', 'run.output', 'run.ended']);
      expect(seen.queued).toMatchObject({ run: { startedBy: 'Ada', status: 'queued', language: 'python' } });
      expect(seen.output).toBe(run.output);
      expect(seen.seqs).toEqual(seen.seqs.map((_, i) => i));
      // 10,000 lines (~100 KB) in batches of at most 16 KiB, not one event per line.
      expect(seen.outputEvents).toBeLessThan(20);
      expect(seen.ended).toMatchObject({ run: { runId, status: 'finished', exitCode: 0, startedBy: 'Ada' } });
    }
    expect(plainHeard).toEqual([]);
    // A viewer never learns the edit id.
    expect(viewerPayloads.length).toBeGreaterThan(3);
    for (const payload of viewerPayloads) expect(payload).not.toContain(roomId);
    expect(errors).not.toHaveBeenCalledWith('Unable to compute message');
  });

  it('a client cannot fake a run event: stateless messages that look like one are not relayed', async () => {
    const runner = track(await setUpRunner('piston'));
    const server = await startTestServer({ env: runner.env });
    cleanups.push(() => server.close());
    const { roomId } = await roomIds(server, PROGRAMS.hello);
    const forger = track(connectClient(server.wsUrl, roomId));
    const other = track(connectClient(server.wsUrl, roomId));
    await Promise.all([forger.synced, other.synced]);
    const received: string[] = [];
    other.provider.on('stateless', ({ payload }: { payload: string }) => received.push(payload));
    const fake = { type: 'run.ended', run: { runId: 'fakefakefake' } };
    forger.provider.sendStateless(JSON.stringify(fake));
    forger.provider.sendStateless('ordinary');
    await vi.waitFor(() => expect(received).toContain('ordinary'), { timeout: 10_000 });
    expect(received).toEqual(['ordinary']);
  });
});

// Needs both services; CI sets TEST_DATABASE_URL and TEST_REDIS_URL.
describe.runIf(testDatabaseUrl && testRedisUrl)('run events across instances (Redis)', () => {
  it('a run started on one instance is seen live by clients of the other, on both protocols, and can be stopped from there', async () => {
    const runner = track(await setUpRunner('piston'));
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const env = { ...runner.env, DATABASE_URL: database.url, REDIS_URL: testRedisUrl!, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}` };
    const a = await startTestServer({ databaseUrl: database.url, env });
    cleanups.push(() => a.stop());
    const b = await startTestServer({ databaseUrl: database.url, env });
    cleanups.push(() => b.stop());

    const { roomId, viewId } = await roomIds(a, PROGRAMS.echo);
    // Every client is on B; the runs are posted to A, where the room is not even loaded.
    const editor = track(connectClient(b.wsUrl, roomId));
    const viewer = track(connectClient(b.wsUrl, viewId));
    const yjs = track(connectYjsClient(b.wsUrl, roomId, { events: 'runs' }));
    await Promise.all([editor.synced, viewer.synced, yjs.synced]);
    const heard = { editor: hearCollab(editor), viewer: hearCollab(viewer), yjs: hearYjs(yjs) };

    const runId = await startRun(a.baseUrl, roomId, { stdin: 'live', name: 'Lin' });
    const run = await waitForRunOver(a.baseUrl, roomId, runId);
    expect(run.stdout).toBe('LIVE []\n');
    for (const events of Object.values(heard)) {
      await vi.waitFor(() => expect(summarise(events, runId).ended).toBeDefined(), { timeout: 10_000 });
      const seen = summarise(events, runId);
      expect(seen.types).toEqual(['run.queued', 'run.started', 'run.output', 'run.ended']);
      expect(seen.output).toBe(run.output);
      expect(seen.ended).toMatchObject({ run: { status: 'finished', exitCode: 3, startedBy: 'Lin' } });
    }
    // B reads the run A stored.
    expect(((await (await fetch(`${b.baseUrl}/api/rooms/${viewId}/runs/${runId}`)).json()) as any).stdout).toBe('LIVE []\n');

    // Stopped from B, though A runs it; B answers 409 to a second run while it lives.
    const other = await roomIds(a, PROGRAMS.forever);
    const longRun = await startRun(a.baseUrl, other.roomId);
    await vi.waitFor(async () => expect(((await (await fetch(`${b.baseUrl}/api/rooms/${other.roomId}/runs/${longRun}`)).json()) as any).status).toBe('running'), { timeout: 10_000 });
    expect((await fetch(`${b.baseUrl}/api/rooms/${other.roomId}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(409);
    expect((await fetch(`${b.baseUrl}/api/rooms/${other.roomId}/runs/${longRun}/cancel`, { method: 'POST' })).status).toBe(202);
    expect((await waitForRunOver(b.baseUrl, other.roomId, longRun)).status).toBe('canceled');
  }, 60_000);
});
