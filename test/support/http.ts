import { expect } from 'vitest';

/** Asserts a JSON error answer `{ error: { code, message } }` and returns its message. */
export async function expectError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error.message;
}

/** `GET /health` of a server, with the HTTP status beside the body's fields. */
export async function readHealth(server: { baseUrl: string }): Promise<any> {
  const response = await fetch(`${server.baseUrl}/health`);
  return { httpStatus: response.status, ...((await response.json()) as Record<string, unknown>) };
}
