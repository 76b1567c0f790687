import { describe, expect, it } from 'vitest';
import { USER_COLORS } from '../../../client/presence/identity.ts';
import { diffPeers, listPeers } from '../../../client/presence/peers.ts';

const states = (entries: [number, unknown][]) => new Map<number, unknown>(entries);

describe('listPeers', () => {
  it('lists clients with a user, this tab first, then by name', () => {
    const peers = listPeers(
      states([
        [3, { user: { name: 'Zoe', color: '#0969da' } }],
        [1, { user: { name: 'Me', color: '#1a7f37' }, cursor: null }],
        [2, { user: { name: 'Adam', color: '#8250df' } }],
        [4, {}],
      ]),
      1,
    );
    expect(peers.map((p) => [p.clientId, p.name, p.isSelf])).toEqual([
      [1, 'Me', true],
      [2, 'Adam', false],
      [3, 'Zoe', false],
    ]);
  });

  it('cleans names and colours', () => {
    const [peer] = listPeers(states([[9, { user: { name: ' <b>x</b>\u202E ', color: 'red;x' } }]]), 1);
    expect(peer.name).toBe('<b>x</b>');
    expect(USER_COLORS).toContain(peer.color);
  });
});

describe('diffPeers', () => {
  it('reports joins and leaves of others only', () => {
    const before = listPeers(states([[1, { user: { name: 'Me' } }], [2, { user: { name: 'Ann' } }]]), 1);
    const after = listPeers(states([[1, { user: { name: 'Me renamed' } }], [3, { user: { name: 'Ben' } }]]), 1);
    const { joined, left } = diffPeers(before, after);
    expect(joined.map((p) => p.name)).toEqual(['Ben']);
    expect(left.map((p) => p.name)).toEqual(['Ann']);
  });

  it('reports nothing when only the order or names change', () => {
    const before = listPeers(states([[2, { user: { name: 'Ann' } }]]), 1);
    const after = listPeers(states([[2, { user: { name: 'Annie' } }]]), 1);
    expect(diffPeers(before, after)).toEqual({ joined: [], left: [] });
  });
});
