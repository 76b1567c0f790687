import type { TargetId } from '../config.ts';
import type { ClientSpec } from '../load/protocol.ts';
import { withLoadWorkers } from '../support/load-workers.ts';
import { otherLoadPercent, readLoad, waitForQuietMachine } from '../support/machine.ts';
import { median, round } from '../support/stats.ts';
import { withTarget, type TargetContext } from '../support/targets.ts';
import { monotonicMicros } from './typing-load.ts';

export interface LargeDocumentRow {
  target: TargetId;
  edits?: number;
  finalLength?: number;
  /** Size of the final Yjs state, in KiB. */
  stateKiB?: number;
  /** First edit until the writer had sent everything, and until a second client had it all. */
  sendSeconds?: number;
  replaySeconds?: number;
  /** CPU the server processes and the load generator (writer and reader) used during the replay, in s. */
  replayServerCpuSeconds?: number;
  replayClientCpuSeconds?: number;
  /** CPU other programs on the machine used during the replay, in % of one core. */
  replayOtherLoadPercent?: number;
  /** The replay on the machine's monotonic clock, in µs (to cut a CPU profile to it). */
  replayWindowUs?: [number, number];
  /** Both clients ended with exactly the trace's final text. */
  verified?: boolean;
  /** Fresh client, connect to synced with the whole text: room loaded, and after a restart (durable servers only). */
  warmSyncMs?: number[];
  coldSyncMs?: number[];
  warmMedianMs?: number;
  coldMedianMs?: number;
  /** Bytes a fresh client received to sync. */
  syncDownloadKiB?: number;
  error?: string;
}

const REPLAY_TIMEOUT_MS = 20 * 60_000;
const SYNC_TIMEOUT_MS = 120_000;

/**
 * Replays the real editing trace into a room through one client, timed until
 * a second client (on the other instance, with Redis) has the whole final
 * text; then times fresh clients joining, warm and, on durable servers, cold
 * (after a graceful restart, loaded from storage).
 */
export async function runLargeDocumentScenario(target: TargetId, context: TargetContext): Promise<LargeDocumentRow> {
  const { largeDocument } = context.config;
  const row: LargeDocumentRow = { target };
  try {
    await withTarget(target, context, (running) =>
      withLoadWorkers(context.registry, 1, `${target} large document`, async ([worker]) => {
        const roomId = await running.createRoom();
        const spec = (index: number): ClientSpec => ({ url: running.clientUrl(index), protocol: running.info.protocol, roomId, typist: false });
        await waitForQuietMachine(10_000);
        const serverCpuBefore = running.serverCpuMs();
        const clientCpuBefore = worker.cpuMs();
        const replayStartUs = monotonicMicros();
        const loadBefore = readLoad(context.registry);
        const replay = await worker.request(
          { type: 'replay', writer: spec(0), reader: spec(1), tracePath: largeDocument.tracePath, edits: largeDocument.edits, timeoutMs: REPLAY_TIMEOUT_MS },
          REPLAY_TIMEOUT_MS + 60_000,
        );
        Object.assign(row, {
          edits: replay.edits,
          finalLength: replay.finalLength,
          stateKiB: round(replay.stateBytes / 1024, 1),
          sendSeconds: round(replay.sendMs / 1000, 2),
          replaySeconds: round(replay.replayMs / 1000, 2),
          verified: replay.writerMatches && replay.readerMatches,
          replayServerCpuSeconds: round((running.serverCpuMs() - serverCpuBefore) / 1000, 1),
          replayClientCpuSeconds: round((worker.cpuMs() - clientCpuBefore) / 1000, 1),
          replayWindowUs: [replayStartUs, monotonicMicros()],
          replayOtherLoadPercent: otherLoadPercent(context.registry, loadBefore),
        });

        row.warmSyncMs = [];
        for (let attempt = 0; attempt < largeDocument.syncRepeats; attempt++) {
          // After the replay the server may still be storing (debounced); a join is timed on a quiet server.
          await waitForQuietMachine(10_000);
          const sync = await worker.request({ type: 'freshSync', client: spec(1), timeoutMs: SYNC_TIMEOUT_MS }, SYNC_TIMEOUT_MS + 30_000);
          if (!sync.matches) throw new Error('a fresh client (warm) did not get the exact text');
          row.warmSyncMs.push(round(sync.syncMs, 1));
          row.syncDownloadKiB = round(sync.bytes.payloadReceived / 1024, 1);
        }
        row.warmMedianMs = round(median(row.warmSyncMs), 1);

        if (!running.info.durable) return;
        row.coldSyncMs = [];
        await worker.request({ type: 'closeAll' }, 60_000);
        for (let attempt = 0; attempt < largeDocument.syncRepeats; attempt++) {
          await running.restart();
          await waitForQuietMachine(10_000);
          const sync = await worker.request({ type: 'freshSync', client: spec(0), timeoutMs: SYNC_TIMEOUT_MS }, SYNC_TIMEOUT_MS + 30_000);
          if (!sync.matches) throw new Error('a fresh client (cold) did not get the exact text');
          row.coldSyncMs.push(round(sync.syncMs, 1));
        }
        row.coldMedianMs = round(median(row.coldSyncMs), 1);
      }),
    );
  } catch (error) {
    row.error = error instanceof Error ? error.message : String(error);
  }
  return row;
}
