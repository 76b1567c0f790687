import type { BenchConfig, TargetId } from '../config.ts';
import type { HotRoomRow } from '../scenarios/hot-room.ts';
import { largestRoomUnder } from '../scenarios/hot-room.ts';
import type { IdleRow } from '../scenarios/idle-connections.ts';
import type { LargeDocumentRow } from '../scenarios/large-document.ts';
import type { LatencyRow } from '../scenarios/latency.ts';
import type { WireBytesRow } from '../scenarios/wire-bytes.ts';
import type { ChartPanel } from './svg-chart.ts';
import { cell, formatTable, round } from './stats.ts';
import { TARGETS } from './targets.ts';

/** Everything one suite run measured. */
export interface SuiteResults {
  latency: LatencyRow[];
  hotRoom: HotRoomRow[];
  idle: IdleRow[];
  largeDocument: LargeDocumentRow[];
  wireBytes: WireBytesRow[];
}

/** One target of issue 6, judged on this run's numbers. */
export interface TargetVerdict {
  verdict: 'PASS' | 'MISS' | 'N/A';
  target: string;
  server: TargetId;
  detail: string;
}

const label = (id: TargetId) => TARGETS[id].label;
const errorCell = (error: string | undefined) => (error ? `error: ${error.split('\n')[0].slice(0, 80)}` : '');
const percent = (part: number | undefined, whole: number | undefined) =>
  part === undefined || !whole ? '–' : `${round((part / whole) * 100, 2)}%`;

/** Markdown table of the latency scenario. */
export function latencyTable(rows: LatencyRow[]): string {
  return formatTable(
    ['server', 'clients', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'delivered', 'keys/s/typist', 'server CPU %', 'server CPU µs/delivery', 'DB CPU µs/delivery', 'Redis CPU µs/delivery', 'server RSS MiB', 'RSS KiB/conn', 'client CPU %', 'client loop p99 ms', 'other load %', 'runs', 'B up/key', 'B down/delivery', 'connect s', 'disconnects', 'note'],
    rows.map((row) => [
      label(row.target),
      row.clients,
      cell(row.latency?.p50),
      cell(row.latency?.p95),
      cell(row.latency?.p99),
      cell(row.latency?.max),
      row.latency ? percent(row.latency.samples, row.expectedDeliveries) : '–',
      cell(row.achievedRate, 2),
      cell(row.serverCpuPercent),
      cell(row.serverCpuUsPerDelivery),
      cell(row.databaseCpuUsPerDelivery),
      cell(row.redisCpuUsPerDelivery),
      cell(row.serverRssMiB),
      cell(row.rssPerConnectionKiB),
      cell(row.clientCpuPercent),
      cell(row.clientEventLoopP99Ms),
      cell(row.otherLoadPercent),
      row.attempts ?? '–',
      cell(row.upBytesPerKeystroke),
      cell(row.downBytesPerDelivery),
      cell(row.connectSeconds),
      row.disconnects ?? '–',
      errorCell(row.error) || (row.failedConnects ? `${row.failedConnects} connects failed` : ''),
    ]),
  );
}

/** Markdown tables of the hot-room scenario: every size, then the largest room per server under the budget. */
export function hotRoomTables(rows: HotRoomRow[], budgetMs: number): string {
  const detail = formatTable(
    ['server', 'clients', 'typists', 'p50 ms', 'p95 ms', 'p99 ms', 'delivered', 'keys/s/typist', 'server CPU %', 'server CPU µs/delivery', 'client CPU %', 'client loop p99 ms', 'other load %', 'runs', 'disconnects', 'note'],
    rows.map((row) => [
      label(row.target),
      row.size,
      row.typists ?? '–',
      cell(row.latency?.p50),
      cell(row.latency?.p95),
      cell(row.latency?.p99),
      row.latency ? percent(row.latency.samples, row.expectedDeliveries) : '–',
      cell(row.achievedRate, 2),
      cell(row.serverCpuPercent),
      cell(row.serverCpuUsPerDelivery),
      cell(row.clientCpuPercent),
      cell(row.clientEventLoopP99Ms),
      cell(row.otherLoadPercent),
      row.attempts ?? '–',
      row.disconnects ?? '–',
      errorCell(row.error) || (row.failedConnects ? `${row.failedConnects} connects failed` : ''),
    ]),
  );
  const servers = [...new Set(rows.map((row) => row.target))];
  const summary = formatTable(
    ['server', `largest room with p99 < ${budgetMs} ms`],
    servers.map((server) => [label(server), largestRoomUnder(rows.filter((row) => row.target === server), budgetMs) || 'none tested']),
  );
  return `${detail}\n\n${summary}`;
}

export function idleTable(rows: IdleRow[], config: Readonly<BenchConfig>): string {
  return formatTable(
    ['server', `idle connections held (≤ ${config.idle.rssLimitMiB} MiB, stop at ${config.idle.max})`, 'open after hold', 'server RSS MiB', 'RSS KiB/conn', 'stopped because', 'client processes', 'client RSS MiB', 'steps (connections: RSS MiB)', 'note'],
    rows.map((row) => [
      label(row.target),
      row.maxHeld,
      row.openAfterHold,
      cell(row.rssAtMaxMiB),
      cell(row.rssPerConnectionKiB),
      row.stoppedBecause,
      row.clientProcesses,
      cell(row.clientRssMiB),
      row.steps.filter((_, index, all) => all.length <= 4 || index % Math.ceil(all.length / 4) === 0 || index === all.length - 1)
        .map((step) => `${step.connections}: ${step.rssMiB}`).join(', '),
      errorCell(row.error),
    ]),
  );
}

export function largeDocumentTable(rows: LargeDocumentRow[]): string {
  return formatTable(
    ['server', 'edits', 'final chars', 'Yjs state KiB', 'replay s (until 2nd client has it)', 'send s', 'server CPU s', 'client CPU s', 'other load %', 'text verified', 'warm sync ms (median)', 'cold sync ms (median)', 'cold / warm', 'sync download KiB', 'note'],
    rows.map((row) => [
      label(row.target),
      row.edits ?? '–',
      row.finalLength ?? '–',
      cell(row.stateKiB),
      cell(row.replaySeconds, 2),
      cell(row.sendSeconds, 2),
      cell(row.replayServerCpuSeconds),
      cell(row.replayClientCpuSeconds),
      cell(row.replayOtherLoadPercent),
      row.verified === undefined ? '–' : row.verified ? 'yes' : 'NO',
      row.warmSyncMs ? `${cell(row.warmMedianMs)} (${row.warmSyncMs.join(', ')})` : '–',
      row.coldSyncMs ? `${cell(row.coldMedianMs)} (${row.coldSyncMs.join(', ')})` : 'n/a (no storage)',
      row.coldMedianMs && row.warmMedianMs ? `${round(row.coldMedianMs / row.warmMedianMs, 2)}×` : '–',
      cell(row.syncDownloadKiB),
      errorCell(row.error),
    ]),
  );
}

function formatSize(bytes: number): string {
  return bytes >= 2 ** 20 ? `${round(bytes / 2 ** 20, 2)} MiB` : bytes >= 1024 ? `${round(bytes / 1024, 1)} KiB` : `${bytes} B`;
}

export function wireBytesTable(rows: WireBytesRow[]): string {
  return formatTable(
    ['server', 'document', 'keystrokes', 'B up/key (payload)', 'B up/key (TCP)', 'B down/delivery (payload)', 'B down/delivery (TCP)', 'B back to typist/key (payload)', 'note'],
    rows.map((row) => [
      label(row.target),
      formatSize(row.size),
      row.keystrokes ?? '–',
      cell(row.upPayload),
      cell(row.upTcp),
      cell(row.downPayload),
      cell(row.downTcp),
      cell(row.ackPayload),
      errorCell(row.error) || (row.complete === false ? 'some deliveries missing' : ''),
    ]),
  );
}

const PAIRPAD_DURABLE: TargetId[] = ['pairpad-sqlite', 'pairpad-postgres', 'pairpad-redis', 'pairpad-sqlite-yjs'];

/** Judges the targets of issue 6 on `results`, for every Pairpad variant that ran. */
export function evaluateTargets(results: SuiteResults, config: Readonly<BenchConfig>): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const pairpads = PAIRPAD_DURABLE.filter((id) => config.targets.includes(id));
  const topClients = Math.max(...config.latency.clients);
  const latencyAt = (id: TargetId) => results.latency.find((row) => row.target === id && row.clients === topClients && !row.error);
  const add = (server: TargetId, target: string, pass: boolean | undefined, detail: string) =>
    verdicts.push({ server, target, verdict: pass === undefined ? 'N/A' : pass ? 'PASS' : 'MISS', detail });

  if (config.scenarios.includes('latency')) {
    const hocuspocus = latencyAt('hocuspocus');
    const reference = latencyAt('y-websocket');
    for (const id of pairpads) {
      const pairpad = latencyAt(id);
      const hp = hocuspocus?.latency?.p99;
      const pp = pairpad?.latency?.p99;
      add(id, `p99 at ${topClients} clients ≤ ½ plain Hocuspocus's`, pp === undefined || hp === undefined ? undefined : pp <= hp / 2,
        `${label(id)} ${cell(pp)} ms vs Hocuspocus ${cell(hp)} ms (limit ${cell(hp === undefined ? undefined : hp / 2)} ms)`);
      const pc = pairpad?.serverCpuUsPerDelivery;
      const rc = reference?.serverCpuUsPerDelivery;
      const extra = [pairpad?.databaseCpuUsPerDelivery !== undefined ? `+ Postgres ${cell(pairpad.databaseCpuUsPerDelivery)} µs` : '', pairpad?.redisCpuUsPerDelivery !== undefined ? `+ Redis ${cell(pairpad.redisCpuUsPerDelivery)} µs` : '']
        .filter(Boolean).join(' ');
      add(id, `server CPU per delivered keystroke ≤ reference y-websocket's (${topClients} clients)`, pc === undefined || rc === undefined || Number.isNaN(pc) || Number.isNaN(rc) ? undefined : pc <= rc,
        `${label(id)} ${cell(pc)} µs${extra ? ` (${extra} outside the server)` : ''} vs y-websocket ${cell(rc)} µs`);
    }
  }
  if (config.scenarios.includes('idle')) {
    for (const id of pairpads) {
      const row = results.idle.find((candidate) => candidate.target === id);
      add(id, `${config.idle.max} idle connections in one process under ${config.idle.rssLimitMiB} MiB`, row && !row.error ? row.maxHeld >= config.idle.max : undefined,
        row ? `${label(id)} held ${row.maxHeld} (${row.openAfterHold} after hold) at ${cell(row.rssAtMaxMiB)} MiB RSS, stopped: ${row.stoppedBecause}` : 'not run');
    }
  }
  if (config.scenarios.includes('hot-room')) {
    const budget = config.hotRoom.p99BudgetMs;
    const largest = (id: TargetId) => {
      const rows = results.hotRoom.filter((row) => row.target === id);
      return rows.length === 0 || rows.every((row) => row.error) ? undefined : largestRoomUnder(rows, budget);
    };
    const hp = largest('hocuspocus');
    const sizes = [...config.hotRoom.sizes].sort((a, b) => a - b);
    for (const id of pairpads) {
      const pp = largest(id);
      let pass: boolean | undefined;
      let note = '';
      if (pp === undefined || hp === undefined) pass = undefined;
      else if (hp === 0) {
        // Hocuspocus held none of the sizes, so it holds fewer than the smallest; 2× that is proven only from twice the smallest.
        pass = pp >= 2 * sizes[0] ? true : undefined;
        note = ` (Hocuspocus held no size tested, i.e. < ${sizes[0]})`;
      } else if (2 * hp > sizes[sizes.length - 1]) {
        pass = pp >= 2 * hp ? true : pp === sizes[sizes.length - 1] ? undefined : false;
        note = pass === undefined ? ` (2× is beyond the largest size tested, ${sizes[sizes.length - 1]})` : '';
      } else pass = pp >= 2 * hp;
      add(id, `hot room ≥ 2× plain Hocuspocus's under p99 ${budget} ms`, pass, `${label(id)} ${pp ?? '–'} clients vs Hocuspocus ${hp ?? '–'}${note}`);
    }
  }
  if (config.scenarios.includes('large-document')) {
    const reference = results.largeDocument.find((row) => row.target === 'y-websocket');
    for (const id of pairpads) {
      const row = results.largeDocument.find((candidate) => candidate.target === id);
      const warm = row?.warmMedianMs;
      const referenceWarm = reference?.warmMedianMs;
      add(id, 'warm sync of the paper ≤ reference y-websocket\'s', warm === undefined || referenceWarm === undefined ? undefined : warm <= referenceWarm,
        `${label(id)} ${cell(warm)} ms vs y-websocket ${cell(referenceWarm)} ms${row?.verified === false ? ' (TEXT MISMATCH)' : ''}`);
      const cold = row?.coldMedianMs;
      add(id, 'cold sync ≤ 2× warm', cold === undefined || warm === undefined ? undefined : cold <= 2 * warm,
        `${label(id)} cold ${cell(cold)} ms vs warm ${cell(warm)} ms (limit ${cell(warm === undefined ? undefined : 2 * warm)} ms)`);
    }
  }
  if (config.scenarios.includes('wire-bytes')) {
    const smallest = Math.min(...config.wireBytes.sizes);
    const largestSize = Math.max(...config.wireBytes.sizes);
    for (const id of config.targets) {
      const rows = results.wireBytes.filter((row) => row.target === id && !row.error);
      const small = rows.find((row) => row.size === smallest);
      const large = rows.find((row) => row.size === largestSize);
      // "Independent": a 1024× larger document costs at most 8 bytes more per keystroke
      // (Yjs ids are varints: a larger clock or origin takes a byte or two more).
      const ok = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : b - a <= 8);
      const up = ok(small?.upPayload, large?.upPayload);
      const down = ok(small?.downPayload, large?.downPayload);
      add(id, 'bytes per keystroke independent of document size', up === undefined || down === undefined ? undefined : up && down,
        `${label(id)} up ${cell(small?.upPayload)} → ${cell(large?.upPayload)} B, down ${cell(small?.downPayload)} → ${cell(large?.downPayload)} B (${formatSize(smallest)} → ${formatSize(largestSize)})`);
    }
  }
  return verdicts;
}

export function verdictLines(verdicts: TargetVerdict[]): string {
  return verdicts.map((verdict) => `${verdict.verdict.padEnd(4)} ${verdict.target}: ${verdict.detail}`).join('\n');
}

const COLORS: Record<TargetId, string> = {
  'pairpad-sqlite': '#1f77b4',
  'pairpad-postgres': '#2ca02c',
  'pairpad-redis': '#9467bd',
  hocuspocus: '#ff7f0e',
  'y-websocket': '#7f7f7f',
  'pairpad-sqlite-yjs': '#17becf',
};

/** The two panels of the chart: p99 against clients (rooms of 5), and against the size of one hot room. */
export function chartPanels(results: SuiteResults, config: Readonly<BenchConfig>): ChartPanel[] {
  const seriesOf = <Row extends { target: TargetId; error?: string; latency?: { p99: number } }>(rows: Row[], x: (row: Row) => number) =>
    config.targets.map((id) => ({
      label: label(id),
      color: COLORS[id],
      dashed: id === 'pairpad-sqlite-yjs',
      points: rows.filter((row) => row.target === id && row.latency).map((row) => ({ x: x(row), y: row.latency!.p99 })),
    })).filter((series) => series.points.length > 0);
  const panels: ChartPanel[] = [];
  if (results.latency.length > 0) {
    panels.push({ title: `p99 edit-to-remote latency, rooms of ${config.latency.roomSize}`, xLabel: 'concurrent clients', yLabel: 'p99 latency (log scale)', series: seriesOf(results.latency, (row) => row.clients) });
  }
  if (results.hotRoom.length > 0) {
    panels.push({
      title: 'p99 in one hot room (10% typing, cursors)',
      xLabel: 'clients in the room',
      yLabel: 'p99 latency (log scale)',
      series: seriesOf(results.hotRoom, (row) => row.size),
      reference: { y: config.hotRoom.p99BudgetMs, label: `${config.hotRoom.p99BudgetMs} ms budget` },
    });
  }
  return panels;
}
