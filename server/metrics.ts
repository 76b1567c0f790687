import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Which socket path a connection came in on. */
export type Protocol = 'collab' | 'yjs';

/** Why an incoming message was refused. */
export type RejectReason = 'malformed' | 'missing_dependencies' | 'too_large' | 'document_too_large' | 'read_only' | 'rate_limited' | 'awareness' | 'not_owner' | 'client_keys_unavailable';

/** Messages and bytes through one direction of one protocol: plain additions on the hot path. */
export interface TrafficCount {
  messages: number;
  bytes: number;
}

/**
 * The Prometheus metrics of one server (served at `/metrics`). Message
 * traffic is counted in plain numbers that Prometheus reads when it scrapes:
 * a prom-client counter hashes its labels on every increment, and every
 * keystroke counts one message in and one out per receiver.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pairpad_' });

  const count = (): TrafficCount => ({ messages: 0, bytes: 0 });
  const traffic = {
    collab: { in: count(), out: count() },
    yjs: { in: count(), out: count() },
  };
  const trafficCounter = (name: string, help: string, field: keyof TrafficCount) =>
    new Counter({
      name,
      help,
      labelNames: ['direction', 'protocol'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const protocol of ['collab', 'yjs'] as const) {
          for (const direction of ['in', 'out'] as const) this.inc({ direction, protocol }, traffic[protocol][direction][field]);
        }
      },
    });
  trafficCounter('pairpad_messages_total', 'WebSocket messages by direction and protocol', 'messages');
  trafficCounter('pairpad_message_bytes_total', 'WebSocket message bytes by direction and protocol', 'bytes');

  return {
    registry,
    traffic,
    connections: new Gauge({ name: 'pairpad_connections', help: 'Open WebSocket connections by protocol', labelNames: ['protocol'] as const, registers: [registry] }),
    roomsLoaded: new Gauge({ name: 'pairpad_rooms_loaded', help: 'Rooms held in memory', registers: [registry] }),
    updatesRejected: new Counter({ name: 'pairpad_updates_rejected_total', help: 'Incoming messages refused, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    storeDuration: new Histogram({ name: 'pairpad_store_duration_seconds', help: 'Time to fold a room into its snapshot', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] }),
    fullSyncs: new Counter({ name: 'pairpad_full_syncs_total', help: 'Whole-room sync answers to clients that held nothing yet: cached (one encoding of the room), encoded, or ahead (the stored state was sent while the room loaded; the answer is empty)', labelNames: ['answer'] as const, registers: [registry] }),
    storeFailures: new Counter({ name: 'pairpad_store_failures_total', help: 'Failed room stores (retried)', registers: [registry] }),
    historyBuilds: new Counter({ name: 'pairpad_history_builds_total', help: 'History version builds, by where the room came from: kept (the document the last build left in the history worker) or stored (its newest snapshot and the versions after it, read and replayed)', labelNames: ['from'] as const, registers: [registry] }),
    journalWriteDuration: new Histogram({ name: 'pairpad_journal_write_duration_seconds', help: 'Time to write one group commit of updates', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers: [registry] }),
    journalWriteFailures: new Counter({ name: 'pairpad_journal_write_failures_total', help: 'Failed group commits (retried)', registers: [registry] }),
    autocompleteDuration: new Histogram({ name: 'pairpad_autocomplete_duration_seconds', help: 'Autocomplete request latency', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] }),
    rateLimited: new Counter({ name: 'pairpad_rate_limited_total', help: 'Requests and messages refused by a rate limit', labelNames: ['limit'] as const, registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
