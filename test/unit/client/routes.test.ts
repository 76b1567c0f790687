import { describe, expect, it } from 'vitest';
import { parseRoomLink } from '../../../client/lobby/room-link.ts';
import { collabUrl, parseRoute, roomPath } from '../../../client/routes.ts';

const id = 'AbCdEfGhIjKlMnOpQrStUv';

describe('parseRoute', () => {
  it.each([
    ['/', { page: 'lobby' }],
    ['/index.html', { page: 'lobby' }],
    [`/r/${id}`, { page: 'room', roomId: id }],
    [`/r/${id}/`, { page: 'room', roomId: id }],
    [`/v/${id}`, { page: 'view', viewId: id }],
    ['/r/short', { page: 'not-found', path: '/r/short' }],
    ['/r/has%20space-xxxxxx', { page: 'not-found', path: '/r/has%20space-xxxxxx' }],
    ['/r/%E0%A4%A', { page: 'not-found', path: '/r/%E0%A4%A' }],
    [`/r/${id}/extra`, { page: 'not-found', path: `/r/${id}/extra` }],
    ['/docs', { page: 'not-found', path: '/docs' }],
  ])('%s', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
  });
});

describe('parseRoomLink', () => {
  it.each([
    [id, roomPath(id)],
    [`  ${id}\n`, roomPath(id)],
    [`https://pairpad.example.com/r/${id}`, `/r/${id}`],
    [`http://localhost:8000/r/${id}?x=1#top`, `/r/${id}`],
    [`localhost:8000/r/${id}`, `/r/${id}`],
    [`/r/${id}`, `/r/${id}`],
    [`https://host/v/${id}`, `/v/${id}`],
  ])('%s → %s', (input, path) => {
    expect(parseRoomLink(input)).toBe(path);
  });

  it.each(['', 'hello', 'https://host/', 'https://host/r/x', 'javascript:alert(1)', `https://host/r/${id}/../x`, 'http://[bad'])(
    'rejects %j',
    (input) => {
      expect(parseRoomLink(input)).toBeUndefined();
    },
  );
});

describe('collabUrl', () => {
  it('uses ws on http and wss on https, same host and port', () => {
    expect(collabUrl(`http://localhost:8000/r/${id}`)).toBe('ws://localhost:8000/collab');
    expect(collabUrl(`https://pair.example.com/r/${id}#x`)).toBe('wss://pair.example.com/collab');
  });
});
