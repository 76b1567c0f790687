import * as Y from 'yjs';

/** Updates merged at once; see {@link mergeInRounds}. */
const MERGE_FAN_IN = 64;

/**
 * `Y.mergeUpdates` of many updates, in rounds of at most 64. Yjs re-sorts its
 * list of inputs for every struct it takes, so one call on n updates costs
 * O(n²): 16,000 keystrokes took 2 s, and a paste bot or a long database
 * outage would have stalled the event loop for minutes. In rounds the cost is
 * O(n · 64 · rounds).
 */
export function mergeInRounds(updates: Uint8Array[], merge: (group: Uint8Array[]) => Uint8Array = Y.mergeUpdates): Uint8Array {
  let round = updates;
  while (round.length > 1) {
    const next: Uint8Array[] = [];
    for (let start = 0; start < round.length; start += MERGE_FAN_IN) {
      const group = round.slice(start, start + MERGE_FAN_IN);
      next.push(group.length === 1 ? group[0] : merge(group));
    }
    round = next;
  }
  return round[0];
}
