/**
 * Autocomplete as the server runs it (issue 13), against a real server in a
 * child process. Two scenarios, each printed as JSON and a table; never fails
 * on a number:
 *
 * - `flood`: pathological requests (`autocomplete/pathological.ts`) arrive at
 *   the default rate limit (10 a second) while a typist in a room types one
 *   key every 50 ms; measures keystroke-to-peer latency (target p99 < 50 ms)
 *   and `/livez` latency (target < 100 ms), and counts answers by status.
 * - `typing`: a caller types through real files over HTTP (C of 90-120 KB,
 *   Python, TypeScript and JavaScript of 30-120 KB), each request the whole
 *   file with a few more characters (the cursor moving on as a person types),
 *   and measures the HTTP round trip (target p99 ≤ 20 ms), per language.
 *
 * - `engine` (only when asked: `--only=engine`): the typing scenario's
 *   requests straight to the engine in this process, one at a time with the
 *   worker's budget and a millisecond between them (the HTTP round trip, in
 *   which a worker carries on a parse): per request its time, the process's
 *   CPU time, and the garbage collection inside it. Without HTTP and the
 *   pool's thread hops it separates the engine's cost from the machine's
 *   load, which on a shared machine dominates the HTTP figures.
 *
 * `--root=DIR` runs the server (or the engine) of another checkout (e.g.
 * main, for the figures before); `--workers=N` sets AUTOCOMPLETE_WORKERS;
 * `--seconds=N` the flood's length; `--only=flood|typing|engine`.
 */
import { spawn } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectClient } from '../support/providers.ts';
import { createRandom } from '../support/random.ts';
import { PATHOLOGICAL_REQUESTS } from './autocomplete/pathological.ts';
import { findTypingFiles, listTypingRequests, TYPING_FILES } from './autocomplete/typing.ts';
import { formatTable, percentile, round } from './support/stats.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const options = new Map(process.argv.slice(2).map((argument) => {
  const [key, value = 'true'] = argument.replace(/^--/, '').split('=');
  return [key, value] as const;
}));
const serverRoot = options.get('root') ?? ROOT;
const floodSeconds = Number(options.get('seconds') ?? 20);
const only = options.get('only');

interface Server {
  baseUrl: string;
  wsUrl: string;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: serverRoot,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', YJS_WARM_UP: '0',
      // The flood is paced at the default limit (10 a second) by the bench itself; the typing caller goes faster than a person.
      RATE_LIMIT_AUTOCOMPLETE: '0', DATA_DIR: `/tmp/pairpad-bench-ac-${process.pid}`, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"pairpad listening"')) resolve(JSON.parse(line).port);
      // Warnings and errors (a worker terminated, a crash) belong in the report's margin.
      else if (/"level":(40|50|60)/.test(line)) console.error(line);
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function summarize(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: values.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createRoom(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"language":"python"}' });
  return ((await response.json()) as { roomId: string }).roomId;
}

async function measureFlood(server: Server, withFlood: boolean) {
  const roomId = await createRoom(server.baseUrl);
  const writer = connectClient(server.wsUrl, roomId);
  const reader = connectClient(server.wsUrl, roomId);
  await Promise.all([writer.synced, reader.synced]);
  const statuses = new Map<number, number>();
  const floodLatencies: number[] = [];
  const bodies = PATHOLOGICAL_REQUESTS.map((request) => Buffer.from(JSON.stringify(request.body)));
  const pending = new Set<Promise<void>>();
  // A server that runs the engine on its socket thread falls behind the flood; what it still owes at the end is given up.
  const giveUp = new AbortController();
  let sent = 0;
  const send = (): void => {
    const started = performance.now();
    const request = fetch(`${server.baseUrl}/api/autocomplete`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[sent++ % bodies.length], signal: giveUp.signal,
    }).then(async (response) => {
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      floodLatencies.push(performance.now() - started);
    }, () => { statuses.set(0, (statuses.get(0) ?? 0) + 1); }).finally(() => pending.delete(request));
    // Status 0: no answer (given up at the end, or the connection failed).
    pending.add(request);
  };
  const floodTimer = withFlood ? setInterval(send, 100) : undefined;

  const livez: number[] = [];
  let livezUnanswered = 0;
  let running = true;
  const probing = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${server.baseUrl}/livez`, { signal: giveUp.signal });
        await response.arrayBuffer();
        livez.push(performance.now() - started);
      } catch {
        livezUnanswered++;
      }
      await sleep(50);
    }
  })();

  const keystrokes: number[] = [];
  const sentAt = new Map<number, number>();
  reader.text.observe(() => {
    const arrived = sentAt.get(reader.text.length);
    if (arrived !== undefined) {
      keystrokes.push(performance.now() - arrived);
      sentAt.delete(reader.text.length);
    }
  });
  const end = performance.now() + floodSeconds * 1000;
  for (let key = 0; performance.now() < end; key++) {
    writer.text.insert(writer.text.length, key % 40 === 39 ? '\n' : String.fromCharCode(97 + (key % 26)));
    sentAt.set(writer.text.length, performance.now());
    await sleep(50);
  }
  running = false;
  clearInterval(floodTimer);
  const drained = Promise.all([...pending]);
  await Promise.race([drained, sleep(3_000)]);
  giveUp.abort();
  await Promise.all([probing, drained]);
  await sleep(500);
  const owed = sentAt.size;
  writer.destroy();
  reader.destroy();
  return {
    keystrokeToPeer: { ...summarize(keystrokes), lost: owed },
    livez: { ...summarize(livez), unanswered: livezUnanswered },
    /** Status 0 counts requests with no answer: given up 3 s after the flood, or failed. */
    pathological: { ...summarize(floodLatencies), statuses: Object.fromEntries(statuses) },
  };
}

/** A caller types through `file` over HTTP (`listTypingRequests`); every request counts, the first of a file too. */
async function typeThroughFile(server: Server, file: { path: string; code: string }, language: string, caller: string, random: () => number) {
  const timings: number[] = [];
  let empty = 0;
  const headers = { 'content-type': 'application/json', 'x-pairpad-client': caller };
  for (const { code, cursorPosition } of listTypingRequests(file.code, random)) {
    const body = JSON.stringify({ code, cursorPosition, language });
    const started = performance.now();
    // A keep-alive socket the server closes as it is reused fails the fetch: one retry, timed as part of it.
    const response = await fetch(`${server.baseUrl}/api/autocomplete`, { method: 'POST', headers, body })
      .catch(() => fetch(`${server.baseUrl}/api/autocomplete`, { method: 'POST', headers, body }));
    const answer = (await response.json()) as { items?: unknown[] };
    timings.push(performance.now() - started);
    if ((answer.items?.length ?? 0) === 0) empty++;
  }
  return { timings, empty };
}

async function measureTyping(server: Server) {
  const random = createRandom(13);
  const byLanguage: Record<string, ReturnType<typeof summarize> & { emptyAnswers: number }> = {};
  const perFile: Record<string, ReturnType<typeof summarize>> = {};
  const files: string[] = [];
  let caller = 0;
  for (const { language, count, minLength } of TYPING_FILES) {
    const timings: number[] = [];
    let empty = 0;
    for (const file of findTypingFiles(ROOT, language, count, minLength)) {
      const typed = await typeThroughFile(server, file, language, `typist-${caller}`, random);
      timings.push(...typed.timings);
      empty += typed.empty;
      perFile[`${caller}: ${file.path.split('/').slice(-2).join('/')}`] = summarize(typed.timings);
      files.push(`${file.path} (${Math.round(file.code.length / 1000)} KB)`);
      caller++;
    }
    byLanguage[language] = { ...summarize(timings), emptyAnswers: empty };
  }
  return { files, http: byLanguage.c, byLanguage, perFile };
}

/** The typing scenario against the engine in this process (see the header); `serverRoot`'s engine. */
async function measureEngine() {
  const { completeWithEngine } = (await import(`${serverRoot}/server/autocomplete/engine.ts`)) as typeof import('../../server/autocomplete/engine.ts');
  const budgetMs = Number(options.get('budget') ?? 50);
  const collections: Array<{ start: number; duration: number }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push({ start: entry.startTime, duration: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const random = createRandom(13);
  const requests: Array<{ language: string; started: number; ms: number; cpuMs: number }> = [];
  let caller = 0;
  for (const { language, count, minLength } of TYPING_FILES) {
    for (const file of findTypingFiles(ROOT, language, count, minLength)) {
      const clientKey = `engine-typist-${caller++}`;
      for (const { code, cursorPosition } of listTypingRequests(file.code, random)) {
        await sleep(1);
        const cpu = process.cpuUsage();
        const started = performance.now();
        completeWithEngine({ code, cursorPosition, language, limit: 10, clientKey, deadline: Date.now() + budgetMs });
        const ms = performance.now() - started;
        const used = process.cpuUsage(cpu);
        requests.push({ language, started, ms, cpuMs: (used.user + used.system) / 1000 });
      }
    }
  }
  // The observer hears of the last collections a turn later.
  await sleep(10);
  observer.disconnect();
  const byLanguage: Record<string, { wall: ReturnType<typeof summarize>; cpu: ReturnType<typeof summarize>; gcInRequestsMs: number }> = {};
  for (const { language } of TYPING_FILES) {
    const mine = requests.filter((request) => request.language === language);
    const gcInRequestsMs = mine.reduce((sum, request) => sum + collections
      .filter((collection) => collection.start >= request.started && collection.start < request.started + request.ms)
      .reduce((total, collection) => total + collection.duration, 0), 0);
    byLanguage[language] = { wall: summarize(mine.map((request) => request.ms)), cpu: summarize(mine.map((request) => request.cpuMs)), gcInRequestsMs: round(gcInRequestsMs) };
  }
  return { byLanguage, collections: collections.length, gcMs: round(collections.reduce((sum, collection) => sum + collection.duration, 0)) };
}

const env: Record<string, string> = {};
if (options.has('workers')) env.AUTOCOMPLETE_WORKERS = options.get('workers')!;
if (options.has('budget')) env.AUTOCOMPLETE_BUDGET_MS = options.get('budget')!;
const report: Record<string, unknown> = { root: serverRoot, env, floodSeconds };
if (only === 'engine') {
  report.engine = await measureEngine();
} else {
  const server = await startServer(env);
  try {
    if (only === undefined || only === 'flood') {
      report.quiet = await measureFlood(server, false);
      report.flood = await measureFlood(server, true);
    }
    if (only === undefined || only === 'typing') report.typing = await measureTyping(server);
  } finally {
    await server.stop();
  }
}
console.log(JSON.stringify(report, null, 2));
const rows: (string | number)[][] = [];
for (const phase of ['quiet', 'flood'] as const) {
  const result = report[phase] as Awaited<ReturnType<typeof measureFlood>> | undefined;
  if (result === undefined) continue;
  rows.push([phase, 'keystroke to peer', result.keystrokeToPeer.n, result.keystrokeToPeer.p50, result.keystrokeToPeer.p99, result.keystrokeToPeer.max, '< 50']);
  rows.push([phase, '/livez', result.livez.n, result.livez.p50, result.livez.p99, result.livez.max, '< 100']);
  if (phase === 'flood') rows.push([phase, 'pathological request', result.pathological.n, result.pathological.p50, result.pathological.p99, result.pathological.max, JSON.stringify(result.pathological.statuses)]);
}
const typing = report.typing as Awaited<ReturnType<typeof measureTyping>> | undefined;
if (typing !== undefined) {
  rows.push(['typing', 'HTTP, C files ~100 KB', typing.http.n, typing.http.p50, typing.http.p99, typing.http.max, `≤ 20 (p95 ${typing.http.p95})`]);
  for (const [language, figures] of Object.entries(typing.byLanguage)) {
    if (language !== 'c') rows.push(['typing', `HTTP, ${language} 30-120 KB`, figures.n, figures.p50, figures.p99, figures.max, `≤ 20 (p95 ${figures.p95})`]);
  }
  for (const [file, figures] of Object.entries(typing.perFile)) rows.push(['typing', file, figures.n, figures.p50, figures.p99, figures.max, `p95 ${figures.p95}`]);
}
const engine = report.engine as Awaited<ReturnType<typeof measureEngine>> | undefined;
if (engine !== undefined) {
  for (const [language, figures] of Object.entries(engine.byLanguage)) {
    rows.push(['engine', `${language}: time`, figures.wall.n, figures.wall.p50, figures.wall.p99, figures.wall.max, `p95 ${figures.wall.p95}; GC in requests ${figures.gcInRequestsMs} ms`]);
    rows.push(['engine', `${language}: process CPU`, figures.cpu.n, figures.cpu.p50, figures.cpu.p99, figures.cpu.max, `p95 ${figures.cpu.p95}`]);
  }
  rows.push(['engine', 'garbage collections (all)', engine.collections, '', '', '', `${engine.gcMs} ms`]);
}
console.log(formatTable(['phase', 'latency (ms)', 'n', 'p50', 'p99', 'max', 'target / statuses'], rows));
process.exit(0);
