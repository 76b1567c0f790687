import { describe, expect, it } from 'vitest';
import { broadcastWindowMs } from '../../../server/collab/broadcast-window.extension.ts';

describe('broadcastWindowMs', () => {
  it('sends at once in pairs and small groups', () => {
    for (const connections of [0, 1, 2, 5, 23]) expect(broadcastWindowMs(connections)).toBe(0);
  });

  it('widens with the room, from 1 ms up to 20 ms', () => {
    expect(broadcastWindowMs(24)).toBe(1);
    expect(broadcastWindowMs(200)).toBe(10);
    expect(broadcastWindowMs(400)).toBe(20);
    expect(broadcastWindowMs(5_000)).toBe(20);
  });
});
