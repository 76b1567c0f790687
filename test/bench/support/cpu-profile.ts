import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (as `node --cpu-prof` writes it) that we read. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Time spent in one function (self: in its own code; total: with everything it called). */
export interface FunctionTime {
  name: string;
  /** Where it lives: a package, `server/…`, `node:…`. */
  where: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  /** Sampled wall time, and the part the thread was busy (not idle). */
  sampledMs: number;
  busyMs: number;
  /** Busy time by function, by self time. */
  functions: FunctionTime[];
  /** Self time by package or source folder. */
  byPlace: { where: string; selfMs: number }[];
}

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** A short name for where code lives: `yjs`, `@hocuspocus/server`, `server/collab/…`, `node:internal`. */
export function placeOf(url: string): string {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node:internal';
  const server = url.indexOf('/server/');
  if (server >= 0) return url.slice(server + 1).replace(/^file:\/\//, '');
  const shared = url.indexOf('/shared/');
  if (shared >= 0) return url.slice(shared + 1);
  return url.replace(/^file:\/\//, '');
}

/**
 * Aggregates self and total time per function over one or more profiles;
 * with `windowsUs` (monotonic µs, the clock V8 stamps samples with), only
 * samples inside those windows count.
 */
export function summarizeCpuProfiles(paths: string[], windowsUs: [number, number][] = []): ProfileSummary {
  const functions = new Map<string, FunctionTime>();
  let sampledMs = 0;
  let idleMs = 0;
  for (const file of paths) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const keyOf = new Map<number, string>();
    for (const node of profile.nodes) {
      const { functionName, url, lineNumber } = node.callFrame;
      const name = functionName || '(anonymous)';
      const where = SPECIAL.has(name) ? '' : `${placeOf(url)}${url ? `:${lineNumber + 1}` : ''}`;
      const key = `${name}\u0000${where}`;
      keyOf.set(node.id, key);
      if (!functions.has(key)) functions.set(key, { name, where, selfMs: 0, totalMs: 0 });
    }
    let at = profile.startTime;
    for (let index = 0; index < profile.samples.length; index++) {
      // timeDeltas[i] is the time since the previous sample; charge it to this one.
      at += profile.timeDeltas[index] ?? 0;
      if (windowsUs.length > 0 && !windowsUs.some(([start, end]) => at >= start && at <= end)) continue;
      const ms = (profile.timeDeltas[index] ?? 0) / 1000;
      const id = profile.samples[index];
      sampledMs += ms;
      const own = functions.get(keyOf.get(id)!)!;
      if (own.name === '(idle)') idleMs += ms;
      own.selfMs += ms;
      const seen = new Set<string>();
      for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
        const key = keyOf.get(node)!;
        if (seen.has(key)) continue; // recursion counts once
        seen.add(key);
        functions.get(key)!.totalMs += ms;
      }
    }
  }
  const busy = [...functions.values()].filter((fn) => fn.name !== '(idle)' && fn.name !== '(root)');
  const byPlace = new Map<string, number>();
  for (const fn of busy) {
    const where = fn.where ? fn.where.replace(/:\d+$/, '').replace(/^(server\/[^/]+)\/.*$/, '$1') : fn.name;
    byPlace.set(where, (byPlace.get(where) ?? 0) + fn.selfMs);
  }
  return {
    sampledMs,
    busyMs: sampledMs - idleMs,
    functions: busy.sort((a, b) => b.selfMs - a.selfMs),
    byPlace: [...byPlace].map(([where, selfMs]) => ({ where, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}
