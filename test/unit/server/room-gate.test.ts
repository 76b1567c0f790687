import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomGateExtension } from '../../../server/collab/room-gate.extension.ts';
import type { ConnectionContext } from '../../../server/collab/connection-context.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

afterEach(() => vi.useRealTimers());

describe('RoomGateExtension token expiry', () => {
  it('closes the socket with 4401 even when the token outlives setTimeout (24.8 days)', async () => {
    vi.useFakeTimers();
    const gate = new RoomGateExtension({} as never, undefined);
    const closes: [number, string][] = [];
    const context: ConnectionContext = {
      views: new Map(),
      closeSocket: (code, reason) => closes.push([code, reason]),
      grant: { room: '*', role: 'edit', expiresAt: Date.now() + 30 * DAY_MS } as never,
    };
    const connection = { close: vi.fn() };
    await gate.connected({ context, connection } as never);
    vi.advanceTimersByTime(1_000);
    expect(closes).toEqual([]);
    vi.advanceTimersByTime(29 * DAY_MS - 2_000);
    expect(closes).toEqual([]);
    vi.advanceTimersByTime(DAY_MS + 2_000);
    expect(closes).toEqual([[4401, 'unauthorized: the token has expired']]);
    expect(connection.close).toHaveBeenCalledWith({ code: 4401, reason: 'unauthorized: the token has expired' });
    await gate.onDisconnect({ context } as never);
  });
});
