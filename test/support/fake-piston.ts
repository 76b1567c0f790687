import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A small Piston-compatible engine for tests: real HTTP on port 0 speaking
 * `GET /api/v2/runtimes` and `POST /api/v2/execute`, which really runs the
 * program (node for javascript, python3 for python, sh for bash) as a child
 * process in a temporary directory, with `run_timeout` enforced (SIGKILL,
 * status `TO`) and the process killed when the caller hangs up. It is a test
 * double of the remote engine, not a sandbox: only tests' own programs run.
 */
export interface FakePiston {
  url: string;
  /** Executions in flight now, the most ever at once, and how many were asked for. */
  stats: { inFlight: number; maxInFlight: number; executed: number };
  /** Bodies of every `POST /api/v2/execute`, in order. */
  requests: any[];
  close(): Promise<void>;
}

// The system interpreter when there is one: a version manager's shim (pyenv) costs seconds per start on a loaded machine.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const RUNTIMES = [
  { language: 'python', version: '3.11.0', aliases: ['py', 'py3', 'python3'], command: [PYTHON] },
  { language: 'javascript', version: '20.0.0', aliases: ['node-javascript', 'node-js', 'js'], runtime: 'node', command: ['node'] },
  { language: 'bash', version: '5.2.0', aliases: ['sh'], command: ['sh'] },
];

export async function startFakePiston(): Promise<FakePiston> {
  const stats = { inFlight: 0, maxInFlight: 0, executed: 0 };
  const requests: any[] = [];
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/api/v2/runtimes') {
      return send(200, RUNTIMES.map(({ command: _command, ...runtime }) => runtime));
    }
    if (req.method !== 'POST' || req.url !== '/api/v2/execute') return send(404, { message: 'not found' });
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        return send(400, { message: 'bad json' });
      }
      requests.push(body);
      const runtime = RUNTIMES.find((candidate) => candidate.language === body.language || candidate.aliases.includes(body.language));
      if (!runtime) return send(400, { message: `${body.language}-${body.version} runtime is unknown` });
      stats.executed++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-piston-'));
      for (const file of body.files) {
        const target = path.join(dir, file.name);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, file.content);
      }
      const started = performance.now();
      const child = spawn(runtime.command[0], [...runtime.command.slice(1), body.files[0].name, ...(body.args ?? [])], {
        cwd: dir,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      });
      let stdout = '';
      let stderr = '';
      let output = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), (output += chunk)));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((stderr += chunk), (output += chunk)));
      child.stdin.on('error', () => {});
      child.stdin.end(body.stdin ?? '');
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, body.run_timeout ?? 3_000);
      // The caller hung up (a canceled run): stop the program.
      res.on('close', () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        stats.inFlight--;
        rmSync(dir, { recursive: true, force: true });
        if (res.destroyed) return;
        send(200, {
          language: runtime.language,
          version: runtime.version,
          run: {
            stdout, stderr, output, code, signal,
            status: timedOut ? 'TO' : signal ? 'SG' : code ? 'RE' : null,
            message: timedOut ? 'Time limit exceeded' : null,
            wall_time: Math.round(performance.now() - started),
            cpu_time: null,
            memory: 12 * 1024 * 1024,
          },
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
