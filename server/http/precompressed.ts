import fs from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';

/** The encodings the build writes beside each file (`client/build/precompress.plugin.ts`), best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** How a file of the web client is sent: its caching, chosen by the caller. */
export interface PrecompressedOptions {
  /** `Cache-Control` for the files this serves. */
  cacheControl: string;
}

/**
 * Serves the brotli or gzip copy the build wrote beside a file in `dir`
 * (`x.js.br`, `x.js.gz`) when the browser accepts it, with the original's
 * type, `Content-Encoding` and `Vary: Accept-Encoding`. Anything else (no
 * copy, an encoding not accepted, a path outside `dir`) falls through to
 * the next handler, which sends the file itself.
 */
export function servePrecompressed(dir: string, options: PrecompressedOptions): RequestHandler {
  const root = path.resolve(dir);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const file = resolveInside(root, req.path);
    if (file === undefined) return next();
    // Every answer for this path depends on Accept-Encoding, the plain one too.
    res.vary('Accept-Encoding');
    chooseEncoding(req, file).then((encoding) => {
      if (encoding === undefined) return next();
      sendEncoded(res, file, encoding, options.cacheControl, next);
    }, next);
  };
}

/** Sends `file` (which must be inside the client directory) compressed if a copy is there and accepted, else as it is. */
export function sendClientFile(req: Request, res: Response, file: string, cacheControl: string, next: (error?: unknown) => void): void {
  res.vary('Accept-Encoding');
  chooseEncoding(req, file).then((encoding) => {
    if (encoding) return sendEncoded(res, file, encoding, cacheControl, next);
    res.set('Cache-Control', cacheControl).sendFile(file, { cacheControl: false }, (error) => error && next(error));
  }, next);
}

function sendEncoded(res: Response, file: string, encoding: (typeof ENCODINGS)[number], cacheControl: string, next: (error?: unknown) => void): void {
  // `send` keeps a Content-Type already set, so the type is the original's, not `.br`'s.
  res.type(path.extname(file)).set({ 'Content-Encoding': encoding.name, 'Cache-Control': cacheControl });
  res.sendFile(file + encoding.suffix, { cacheControl: false, dotfiles: 'deny' }, (error) => {
    if (!error) return;
    // The copy vanished between the check and the send (a rebuild): the headers are not sent yet.
    if (!res.headersSent) res.removeHeader('Content-Encoding');
    next(error);
  });
}

/** The absolute file a request path names, if it stays inside `root` and is not a directory. */
function resolveInside(root: string, requestPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (!file.startsWith(root + path.sep)) return undefined;
  return file;
}

async function chooseEncoding(req: Request, file: string): Promise<(typeof ENCODINGS)[number] | undefined> {
  for (const encoding of ENCODINGS) {
    // `acceptsEncodings` honours q-values: `br;q=0` refuses brotli.
    if (req.acceptsEncodings(encoding.name) !== encoding.name) continue;
    if (await isFile(file + encoding.suffix)) return encoding;
  }
  return undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(file)).isFile();
  } catch {
    return false;
  }
}
