/**
 * The comparison baseline: a stock `@hocuspocus/server` with no extensions
 * (no storage, no auth), as its README starts it. Prints one JSON line with
 * its port once listening; SIGTERM stops it (Hocuspocus's own signal handler).
 */
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true });
await server.listen();
process.stdout.write(`${JSON.stringify({ msg: 'hocuspocus listening', port: server.address.port })}\n`);
