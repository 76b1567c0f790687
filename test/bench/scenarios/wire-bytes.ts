import type { TargetId } from '../config.ts';
import type { ClientSpec } from '../load/protocol.ts';
import { withLoadWorkers } from '../support/load-workers.ts';
import { round } from '../support/stats.ts';
import { withTarget, type TargetContext } from '../support/targets.ts';

export interface WireBytesRow {
  target: TargetId;
  /** Document size in bytes before typing. */
  size: number;
  keystrokes?: number;
  complete?: boolean;
  /** Typist to server, per keystroke: message payload and TCP bytes (framing included). */
  upPayload?: number;
  upTcp?: number;
  /** Server to each watcher, per delivered keystroke. */
  downPayload?: number;
  downTcp?: number;
  /** Server to the typist, per keystroke (acknowledgements such as Hocuspocus's SyncStatus). */
  ackPayload?: number;
  error?: string;
}

const WIRE_TIMEOUT_MS = 5 * 60_000;

/**
 * Bytes on the wire per keystroke at several document sizes: a room of 5
 * (one typist typing single characters at random places in the document),
 * presence off so only document traffic is counted.
 */
export async function runWireBytesScenario(target: TargetId, context: TargetContext): Promise<WireBytesRow[]> {
  const { wireBytes, latency } = context.config;
  const rows: WireBytesRow[] = [];
  try {
    await withTarget(target, context, (running) =>
      withLoadWorkers(context.registry, 1, `${target} wire bytes`, async ([worker]) => {
        for (const size of wireBytes.sizes) {
          try {
            const roomId = await running.createRoom();
            const clients: ClientSpec[] = Array.from({ length: latency.roomSize }, (_, index) => ({
              url: running.clientUrl(index),
              protocol: running.info.protocol,
              roomId,
              typist: index === 0,
            }));
            const result = await worker.request(
              { type: 'wireBytes', clients, size, keystrokes: wireBytes.keystrokes, rate: wireBytes.rate, timeoutMs: WIRE_TIMEOUT_MS },
              WIRE_TIMEOUT_MS + 30_000,
            );
            const deliveries = result.keystrokes * result.watchers;
            rows.push({
              target,
              size,
              keystrokes: result.keystrokes,
              complete: result.complete,
              upPayload: round(result.typistBytes.payloadSent / result.keystrokes, 1),
              upTcp: round(result.typistBytes.socketSent / result.keystrokes, 1),
              downPayload: round(result.watcherBytes.payloadReceived / deliveries, 1),
              downTcp: round(result.watcherBytes.socketReceived / deliveries, 1),
              ackPayload: round(result.typistBytes.payloadReceived / result.keystrokes, 1),
            });
          } catch (error) {
            rows.push({ target, size, error: error instanceof Error ? error.message : String(error) });
          }
        }
      }),
    );
  } catch (error) {
    rows.push({ target, size: 0, error: error instanceof Error ? error.message : String(error) });
  }
  return rows;
}
