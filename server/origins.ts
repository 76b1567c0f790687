import type { IncomingMessage } from 'node:http';

/**
 * Browsers always send `Origin` on sockets and cross-site requests; a page
 * of another site may call us unless we check it. Same-origin pages and
 * non-browser clients (no `Origin`) are let in; other origins only when
 * listed in `CORS_ORIGINS` (or `*`). Used for REST and WebSocket alike.
 */
export function isAllowedOrigin(request: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
