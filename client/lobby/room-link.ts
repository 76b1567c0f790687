import { isRoomIdFormat } from '../../shared/protocol.ts';
import { parseRoute, roomPath, viewPath } from '../routes.ts';

/**
 * What someone pasted into "join a room": a full link (`https://host/r/ID`,
 * any host, since links travel through chats and proxies), a path (`/r/ID`,
 * `/v/ID`) or a bare room id. Returns the path to open, or `undefined` when
 * the text is none of these.
 */
export function parseRoomLink(input: string): string | undefined {
  const text = input.trim();
  if (text === '') return undefined;
  // (`as unknown`: the type guard would otherwise narrow `text` to never below.)
  if (isRoomIdFormat(text as unknown)) return roomPath(text);
  let pathname = text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      pathname = new URL(text).pathname;
    } catch {
      return undefined;
    }
  } else if (!text.startsWith('/')) {
    // "host:8000/r/ID" without a scheme.
    const slash = text.indexOf('/');
    if (slash < 0) return undefined;
    pathname = text.slice(slash);
  }
  const route = parseRoute(pathname.split(/[?#]/)[0]);
  switch (route.page) {
    case 'room':
      return roomPath(route.roomId);
    case 'view':
      return viewPath(route.viewId);
    case 'lobby':
    case 'not-found':
      return undefined;
    default:
      return assertNever(route);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected route ${JSON.stringify(value)}`);
}
