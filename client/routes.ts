import { COLLAB_PATH, isRoomIdFormat } from '../shared/protocol.ts';

/** The pages of the client, chosen from `location.pathname`. */
export type Route =
  | { page: 'lobby' }
  /** `/r/:roomId`: the editor; the room id grants editing. */
  | { page: 'room'; roomId: string }
  /** `/v/:viewId`: the read-only view of a room (access-control issue). */
  | { page: 'view'; viewId: string }
  /** Anything else, or a malformed id: the room-not-found page. */
  | { page: 'not-found'; path: string };

/** Path of the editor page of a room. */
export function roomPath(roomId: string): string {
  return `/r/${encodeURIComponent(roomId)}`;
}

/** Path of the read-only page of a room. */
export function viewPath(viewId: string): string {
  return `/v/${encodeURIComponent(viewId)}`;
}

/** Maps a pathname to a page; ids must have the shape of `ROOM_ID_PATTERN`. */
export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/index.html') return { page: 'lobby' };
  const match = /^\/([rv])\/([^/]+)$/.exec(path);
  if (match) {
    let id: string;
    try {
      id = decodeURIComponent(match[2]);
    } catch {
      return { page: 'not-found', path };
    }
    if (isRoomIdFormat(id)) return match[1] === 'r' ? { page: 'room', roomId: id } : { page: 'view', viewId: id };
  }
  return { page: 'not-found', path };
}

/** WebSocket URL of the collaboration endpoint on the page's own server (`ws:` or `wss:`). */
export function collabUrl(pageUrl: string): string {
  const url = new URL(pageUrl);
  return `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}${COLLAB_PATH}`;
}
