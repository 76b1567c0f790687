import { describe, expect, it } from 'vitest';
import {
  MAX_RECENT_ROOMS,
  RECENT_ROOMS_KEY,
  forgetRoom,
  formatLastVisit,
  readRecentRooms,
  rememberRoom,
} from '../../../client/lobby/recent-rooms.ts';
import { createMemoryStore } from '../../../client/storage.ts';

const room = (n: number) => ({ roomId: `room-${String(n).padStart(4, '0')}`, title: `Room ${n}`, language: 'python' });

describe('recent rooms', () => {
  it('starts empty', () => {
    expect(readRecentRooms(createMemoryStore())).toEqual([]);
  });

  it('lists the most recent visit first and keeps one entry per room', () => {
    const store = createMemoryStore();
    rememberRoom(store, room(1), 1000);
    rememberRoom(store, room(2), 2000);
    rememberRoom(store, { ...room(1), title: 'Renamed', language: 'go' }, 3000);
    expect(readRecentRooms(store)).toEqual([
      { roomId: 'room-0001', title: 'Renamed', language: 'go', lastVisit: 3000 },
      { roomId: 'room-0002', title: 'Room 2', language: 'python', lastVisit: 2000 },
    ]);
  });

  it(`keeps at most ${MAX_RECENT_ROOMS} rooms, dropping the oldest`, () => {
    const store = createMemoryStore();
    for (let n = 0; n < MAX_RECENT_ROOMS + 5; n++) rememberRoom(store, room(n), n);
    const rooms = readRecentRooms(store);
    expect(rooms).toHaveLength(MAX_RECENT_ROOMS);
    expect(rooms[0].roomId).toBe(room(MAX_RECENT_ROOMS + 4).roomId);
    expect(rooms.some((r) => r.roomId === room(0).roomId)).toBe(false);
  });

  it('forgets a room', () => {
    const store = createMemoryStore();
    rememberRoom(store, room(1), 1);
    rememberRoom(store, room(2), 2);
    expect(forgetRoom(store, 'room-0002').map((r) => r.roomId)).toEqual(['room-0001']);
    expect(readRecentRooms(store).map((r) => r.roomId)).toEqual(['room-0001']);
  });

  it('reads corrupt or foreign values as empty or skips bad entries', () => {
    const store = createMemoryStore();
    store.setItem(RECENT_ROOMS_KEY, '{not json');
    expect(readRecentRooms(store)).toEqual([]);
    store.setItem(RECENT_ROOMS_KEY, JSON.stringify({ roomId: 'x' }));
    expect(readRecentRooms(store)).toEqual([]);
    store.setItem(
      RECENT_ROOMS_KEY,
      JSON.stringify([null, 'x', { roomId: 'ok-room-1', lastVisit: 5, language: 'cobol' }, { roomId: 'no-visit' }, { roomId: 'ok-room-1', lastVisit: 1 }]),
    );
    expect(readRecentRooms(store)).toEqual([{ roomId: 'ok-room-1', title: '', language: 'plaintext', lastVisit: 5 }]);
  });

  it('unknown languages become plaintext', () => {
    const store = createMemoryStore();
    expect(rememberRoom(store, { ...room(1), language: 'brainfuck' }, 1)[0].language).toBe('plaintext');
  });
});

describe('formatLastVisit', () => {
  const now = Date.UTC(2025, 0, 31, 12);
  const ago = (ms: number) => formatLastVisit(now - ms, now);
  it.each([
    [10_000, 'just now'],
    [5 * 60_000, '5 min ago'],
    [3 * 3_600_000, '3 h ago'],
    [30 * 3_600_000, 'yesterday'],
    [4 * 86_400_000, '4 days ago'],
    [-60_000, 'just now'],
  ])('%i ms ago reads "%s"', (ms, text) => {
    expect(ago(ms)).toBe(text);
  });

  it('shows a date for old visits', () => {
    expect(formatLastVisit(Date.UTC(2024, 5, 1), now)).toBe('2024-06-01');
  });
});
