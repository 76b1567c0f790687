import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ownerCall } from '../support/owner.ts';
import { PROGRAMS, setUpRunner, startRun, waitForRunning } from '../support/runs.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Deleting a room stops its run (the fake Piston engine runs it). */
describe('DELETE /api/rooms/:roomId with a run going', () => {
  let runner: Awaited<ReturnType<typeof setUpRunner>>;
  let server: TestServer;
  beforeAll(async () => {
    runner = await setUpRunner('piston');
    server = await startTestServer({ env: runner.env });
  });
  afterAll(async () => {
    await server?.close();
    await runner?.close();
  });

  it('stops the run, then deletes everything', async () => {
    const created = await ownerCall(server.baseUrl, 'POST', '/api/rooms', undefined, PROGRAMS.forever);
    const room = (await created.json()) as { roomId: string; ownerKey: string };
    const runId = await startRun(server.baseUrl, room.roomId);
    await waitForRunning(server.baseUrl, room.roomId, runId);
    expect(runner.piston!.stats.inFlight).toBe(1);
    expect((await ownerCall(server.baseUrl, 'DELETE', `/api/rooms/${room.roomId}`, room.ownerKey)).status).toBe(204);
    await vi.waitFor(() => expect(runner.piston!.stats.inFlight).toBe(0), { timeout: 3_000 });
    expect((await ownerCall(server.baseUrl, 'GET', `/api/rooms/${room.roomId}/runs`)).status).toBe(404);
  });
});
