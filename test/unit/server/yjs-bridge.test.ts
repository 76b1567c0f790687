import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createYjsBridge, EARLY_LIMIT_REASON } from '../../../server/collab/yjs-bridge.ts';
import { createLogger } from '../../../server/log.ts';
import { createMetrics } from '../../../server/metrics.ts';

function fakeSocket() {
  return Object.assign(new EventEmitter(), { OPEN: 1, CONNECTING: 0, readyState: 1, close: vi.fn(), terminate: vi.fn(), send: vi.fn() });
}

describe('the /yjs bridge before the room is found', () => {
  it('holds at most 4 MiB of early frames, then closes with 4429 and drops them', async () => {
    const metrics = createMetrics();
    const route = createYjsBridge({
      hocuspocus: {} as never,
      access: { resolve: () => new Promise(() => {}) } as never,
      log: createLogger('silent'),
      metrics,
    });
    const socket = fakeSocket();
    route(socket as never, { url: '/yjs/abcdefgh12345678', headers: {} } as never, '/yjs/abcdefgh12345678');
    const frame = Buffer.alloc(1024 * 1024 - 100);
    for (let i = 0; i < 4; i++) socket.emit('message', frame);
    expect(socket.close).not.toHaveBeenCalled();
    socket.emit('message', frame);
    socket.emit('message', frame);
    expect(socket.close).toHaveBeenCalledTimes(1);
    expect(socket.close).toHaveBeenCalledWith(4429, EARLY_LIMIT_REASON);
    expect(socket.terminate).not.toHaveBeenCalled();
    expect(await metrics.registry.getSingleMetricAsString('pairpad_rate_limited_total')).toContain('limit="socket"} 1');
  });
});
