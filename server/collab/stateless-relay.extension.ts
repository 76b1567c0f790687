import type { Extension, onStatelessPayload } from '@hocuspocus/server';
import { MAX_STATELESS_CHARS } from '../../shared/protocol.ts';
import { looksLikeRunEvent } from '../../shared/schemas/run-event.schema.ts';
import type { Metrics } from '../metrics.ts';

/**
 * Relays a client's stateless message (`provider.sendStateless`) to the
 * room's other clients. `broadcastStateless` runs the Redis extension's
 * hook, so clients on other instances get it too. Viewers may only watch,
 * so theirs are dropped, as are oversized ones (see `shared/protocol.ts`),
 * and so is one that looks like a run event: only the server tells a room
 * about its runs.
 */
export class StatelessRelayExtension implements Extension {
  extensionName = 'pairpad-stateless-relay';

  constructor(private readonly metrics: Pick<Metrics, 'updatesRejected'>) {}

  async onStateless({ connection, document, payload }: onStatelessPayload): Promise<void> {
    if (connection.readOnly || payload.length > MAX_STATELESS_CHARS) {
      this.metrics.updatesRejected.labels(connection.readOnly ? 'read_only' : 'too_large').inc();
      return;
    }
    if (looksLikeRunEvent(payload)) {
      this.metrics.updatesRejected.labels('run_event').inc();
      return;
    }
    document.broadcastStateless(payload, (other) => other !== connection);
  }
}
