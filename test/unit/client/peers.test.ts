import { describe, expect, it } from 'vitest';
import { USER_COLORS } from '../../../client/presence/identity.ts';
import { diffPeers, listPeers, listPeople } from '../../../client/presence/peers.ts';

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

describe('one person in several tabs (user.id)', () => {
  const alice = 'alice-browser-1';
  const bob = 'bob-browser-22';

  it('lists a browser once, and my own other tab as me', () => {
    const peers = listPeers(
      states([
        [1, { user: { name: 'Bob', id: bob } }],
        [2, { user: { name: 'Alice', id: alice } }],
        [3, { user: { name: 'Alice', id: alice } }],
        [4, { user: { name: 'Bob', id: bob } }],
        [5, { user: { name: 'Carl' } }],
        [6, { user: { name: 'Carl' } }],
      ]),
      4,
    );
    expect(listPeople(peers).map((p) => [p.clientId, p.name, p.isSelf])).toEqual([
      [4, 'Bob', true],
      [2, 'Alice', false],
      // Without an id, each tab is someone.
      [5, 'Carl', false],
      [6, 'Carl', false],
    ]);
  });

  it('announces neither the second tab of someone present nor closing one of two', () => {
    const one = listPeers(states([[1, { user: { name: 'Me', id: bob } }], [2, { user: { name: 'Alice', id: alice } }]]), 1);
    const two = listPeers(states([[1, { user: { name: 'Me', id: bob } }], [2, { user: { name: 'Alice', id: alice } }], [3, { user: { name: 'Alice', id: alice } }]]), 1);
    expect(diffPeers(one, two)).toEqual({ joined: [], left: [] });
    const otherClosed = listPeers(states([[1, { user: { name: 'Me', id: bob } }], [3, { user: { name: 'Alice', id: alice } }]]), 1);
    expect(diffPeers(two, otherClosed)).toEqual({ joined: [], left: [] });
    const gone = listPeers(states([[1, { user: { name: 'Me', id: bob } }]]), 1);
    expect(diffPeers(otherClosed, gone).left.map((p) => p.name)).toEqual(['Alice']);
  });

  it('never announces my own other tab', () => {
    const alone = listPeers(states([[1, { user: { name: 'Me', id: bob } }]]), 1);
    const twoTabs = listPeers(states([[1, { user: { name: 'Me', id: bob } }], [7, { user: { name: 'Me', id: bob } }]]), 1);
    expect(diffPeers(alone, twoTabs)).toEqual({ joined: [], left: [] });
    expect(diffPeers(twoTabs, alone)).toEqual({ joined: [], left: [] });
  });

  it('ignores an id that is not one', () => {
    const [peer] = listPeers(states([[9, { user: { name: 'X', id: '<script>' } }]]), 1);
    expect(peer.id).toBeUndefined();
  });
});
