import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AWARENESS_FOLLOWING, AWARENESS_WATCHING } from '../../shared/protocol.ts';
import { connectClient, connectYjsClient, type TestClient, type YjsTestClient } from '../support/providers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Follow mode's awareness field (`following` in `shared/protocol.ts`): the
 * followed person learns who follows them, from editors on both protocols
 * and from viewers, whose state keeps it beside `watching` and `user`.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const clients: (TestClient | YjsTestClient)[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

async function createRoom(): Promise<{ roomId: string; viewId: string }> {
  const response = await fetch(`${server.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return (await response.json()) as { roomId: string; viewId: string };
}

describe('the following awareness field', () => {
  it('reaches the followed person from an editor (/collab, /yjs) and from a viewer, never with the viewer’s cursor', async () => {
    const room = await createRoom();
    const driver = connectClient(server.wsUrl, room.roomId);
    const follower = connectYjsClient(server.wsUrl, room.roomId);
    const viewer = connectClient(server.wsUrl, room.viewId);
    clients.push(driver, follower, viewer);
    await Promise.all([driver.synced, follower.synced, viewer.synced]);
    driver.provider.setAwarenessField('user', { name: 'Driver', color: '#d1242f', colorLight: '#d1242f33', id: 'driver-browser' });
    follower.provider.awareness.setLocalState({ user: { name: 'Navigator', color: '#0969da', colorLight: '#0969da33' }, [AWARENESS_FOLLOWING]: 'driver-browser' });
    viewer.provider.setAwarenessField('user', { name: 'Watcher', color: '#1a7f37', colorLight: '#1a7f3733' });
    viewer.provider.setAwarenessField('cursor', { anchor: 0, head: 0 });
    viewer.provider.setAwarenessField(AWARENESS_FOLLOWING, 'driver-browser');

    const seenByDriver = () => [...driver.provider.awareness!.getStates().values()];
    await vi.waitFor(() => {
      const following = seenByDriver().filter((state) => state[AWARENESS_FOLLOWING] === 'driver-browser');
      expect(following.map((state) => state.user?.name).sort()).toEqual(['Navigator', 'Watcher']);
    });
    const watcher = seenByDriver().find((state) => state.user?.name === 'Watcher')!;
    expect(watcher[AWARENESS_WATCHING]).toBe(true);
    expect(watcher.cursor).toBeUndefined();
    // Following no one any more: the field goes.
    viewer.provider.setAwarenessField(AWARENESS_FOLLOWING, null);
    await vi.waitFor(() => expect(seenByDriver().find((state) => state.user?.name === 'Watcher')?.[AWARENESS_FOLLOWING]).toBeUndefined());
  });

  it('drops a viewer’s following value that is not a short string', async () => {
    const room = await createRoom();
    const driver = connectClient(server.wsUrl, room.roomId);
    const viewer = connectClient(server.wsUrl, room.viewId);
    clients.push(driver, viewer);
    await Promise.all([driver.synced, viewer.synced]);
    // One state, so the name cannot arrive before the value.
    viewer.provider.awareness!.setLocalState({ user: { name: 'Long', color: '#1a7f37', colorLight: '#1a7f3733' }, [AWARENESS_FOLLOWING]: 'x'.repeat(65) });
    await vi.waitFor(() => expect([...driver.provider.awareness!.getStates().values()].some((state) => state.user?.name === 'Long')).toBe(true));
    const state = [...driver.provider.awareness!.getStates().values()].find((entry) => entry.user?.name === 'Long')!;
    expect(state[AWARENESS_FOLLOWING]).toBeUndefined();
  });
});
