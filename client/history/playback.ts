import { Text } from '@codemirror/state';
import type { PlaybackChange } from './history-api.ts';

/** The room's files at one point of the playback: path to text. */
export type PlaybackFiles = ReadonlyMap<string, Text>;

/** Changes between two remembered states: seeking replays at most this many. */
const CHECKPOINT_EVERY = 1_000;

/**
 * The files of a room at any point of its playback: the texts of the first
 * version with the first `position` changes applied. Texts are CodeMirror
 * `Text`s (balanced trees that share what did not change), so a change
 * costs O(log n) whatever the file's size, a remembered state costs almost
 * nothing, and the viewer shows them as they are.
 */
export class Playback {
  private readonly checkpoints: PlaybackFiles[] = [];
  private files: Map<string, Text>;
  private at = 0;

  constructor(
    initial: ReadonlyMap<string, string>,
    readonly changes: readonly PlaybackChange[],
  ) {
    this.files = new Map([...initial].map(([path, content]) => [path, Text.of(content.split('\n'))]));
    this.checkpoints.push(new Map(this.files));
  }

  /** How many changes are applied. */
  get position(): number {
    return this.at;
  }

  get length(): number {
    return this.changes.length;
  }

  /** Every file's text at the current position. */
  get current(): PlaybackFiles {
    return this.files;
  }

  /** The text of `path` at the current position (empty if it did not exist yet). */
  text(path: string): Text {
    return this.files.get(path) ?? Text.empty;
  }

  /** Moves to `position` (clamped), replaying from the nearest remembered state before it. */
  seek(position: number): void {
    const target = Math.max(0, Math.min(this.changes.length, Math.floor(position)));
    if (target < this.at || target - this.at > CHECKPOINT_EVERY) {
      const checkpoint = Math.min(Math.floor(target / CHECKPOINT_EVERY), this.checkpoints.length - 1);
      this.files = new Map(this.checkpoints[checkpoint]!);
      this.at = checkpoint * CHECKPOINT_EVERY;
    }
    while (this.at < target) this.step();
  }

  /** Applies the next change; answers it (undefined at the end). */
  step(): PlaybackChange | undefined {
    const change = this.changes[this.at];
    if (change === undefined) return undefined;
    const before = this.files.get(change.file) ?? Text.empty;
    // A position past the end (a stream that does not fit) is clamped rather than thrown: playback is a view.
    const from = Math.min(change.pos, before.length);
    const to = Math.min(from + change.del, before.length);
    this.files.set(change.file, before.replace(from, to, Text.of(change.ins.split('\n'))));
    this.at++;
    if (this.at % CHECKPOINT_EVERY === 0 && this.checkpoints.length === this.at / CHECKPOINT_EVERY) this.checkpoints.push(new Map(this.files));
    return change;
  }

  /** The number of changes made at or before `time` (ISO 8601): the position that shows the room at that time. */
  positionAt(time: string): number {
    const at = Date.parse(time);
    let low = 0;
    let high = this.changes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (Date.parse(this.changes[middle]!.at) <= at) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Longest pause played back as it was; longer ones are shortened to it, so a coffee break does not stall the replay. */
export const LONGEST_PAUSE_MS = 1_000;

/**
 * How long to wait before showing change `index`, at `speed`× (1–16): the
 * time since the previous change, with long pauses shortened.
 */
export function delayBefore(changes: readonly PlaybackChange[], index: number, speed: number): number {
  if (index <= 0 || index >= changes.length) return 0;
  const gap = Date.parse(changes[index]!.at) - Date.parse(changes[index - 1]!.at);
  return Math.min(Math.max(0, gap), LONGEST_PAUSE_MS) / speed;
}
