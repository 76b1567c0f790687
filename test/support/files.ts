import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { TestServer } from './server.ts';

/** `/api/rooms/:roomId/files/<path>` with each segment percent-encoded, as the API expects. */
export function fileUrl(baseUrl: string, roomId: string, path: string): string {
  return `${baseUrl}/api/rooms/${roomId}/files/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** `PUT` a file's text; returns the response. */
export function putFile(baseUrl: string, roomId: string, path: string, content: string, query = ''): Promise<Response> {
  return fetch(`${fileUrl(baseUrl, roomId, path)}${query}`, { method: 'PUT', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: content });
}

/** `GET` a file's text (throws unless 200). */
export async function getFile(baseUrl: string, roomId: string, path: string): Promise<string> {
  const response = await fetch(fileUrl(baseUrl, roomId, path));
  if (response.status !== 200) throw new Error(`get ${path}: ${response.status} ${await response.text()}`);
  return response.text();
}

/** `GET /api/rooms/:roomId/files`. */
export async function listFiles(baseUrl: string, roomId: string): Promise<{ entry: string; files: { path: string; language: string; size: number }[]; folders: string[] }> {
  const response = await fetch(`${baseUrl}/api/rooms/${roomId}/files`);
  if (response.status !== 200) throw new Error(`list files: ${response.status} ${await response.text()}`);
  return (await response.json()) as never;
}

/** `POST /api/rooms/:roomId/files/move`. */
export function moveFile(baseUrl: string, roomId: string, from: string, to: string): Promise<Response> {
  return fetch(`${baseUrl}/api/rooms/${roomId}/files/move`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to }) });
}

/** `POST /api/rooms` with a JSON body; returns the response. */
export function postRoom(baseUrl: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** `POST /api/rooms` with a zip body. */
export function postZip(baseUrl: string, zip: Uint8Array, query = ''): Promise<Response> {
  return fetch(`${baseUrl}/api/rooms${query}`, { method: 'POST', headers: { 'content-type': 'application/zip' }, body: zip });
}

/** A request whose path is sent exactly as given (fetch would resolve `..` segments first). */
export async function rawRequest(baseUrl: string, method: string, path: string, body?: string): Promise<Response> {
  const { request } = await import('node:http');
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: body === undefined ? {} : { 'content-type': 'text/plain' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode, headers: res.headers as Record<string, string> })));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The room's `room_files` rows in path order, read with plain SQL as an SQL reader would. */
export async function readFileRows(server: TestServer, roomId: string): Promise<any[]> {
  const query = 'select path, file_id, language, content, size from room_files where room_id = $1 order by path';
  if (server.config.databaseUrl) {
    const client = new pg.Client({ connectionString: server.config.databaseUrl });
    await client.connect();
    try {
      return (await client.query(query, [roomId])).rows;
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(server.config.sqlitePath, { readonly: true });
  try {
    return db.prepare(query.replace('$1', '?')).all(roomId);
  } finally {
    db.close();
  }
}
