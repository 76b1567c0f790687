import { describe, expect, it } from 'vitest';
import { awarenessWindowMs, broadcastWindowMs } from '../../../server/collab/broadcast-window.extension.ts';

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

describe('awarenessWindowMs', () => {
  it('sends cursors with the changes in pairs and small groups', () => {
    for (const connections of [0, 1, 2, 5, 23]) expect(awarenessWindowMs(connections)).toBe(0);
  });

  it('spaces cursor frames further as the room grows, up to 100 ms', () => {
    expect(awarenessWindowMs(24)).toBe(3);
    expect(awarenessWindowMs(200)).toBe(25);
    expect(awarenessWindowMs(400)).toBe(50);
    expect(awarenessWindowMs(5_000)).toBe(100);
  });
});
