import * as Y from 'yjs';
import { CODE_TEXT, ENTRY_FILE_ID, FILE_TEXT, FILES_MAP } from '../../shared/protocol.ts';
import { readFileTree } from '../../shared/room-files.ts';
import type { ChangeOp } from './change-index.ts';
import { TextDeltaReader, type TextDeltaPart } from './text-delta.ts';

/** Gathers the ops of each transaction applied to a document: see {@link observeOps}. */
export interface OpsObserver {
  /** The ops of the transactions since the last call, in order. */
  take(): ChangeOp[];
  /** File id to path, as the files are now. */
  paths(): Map<string, string>;
  /**
   * The delta reader it reads text events with. Changes applied while it is
   * paused must be read with it too (`batch-ops.ts`): it remembers where
   * each text was last changed, and starts the next walk there.
   */
  readonly reader: TextDeltaReader;
  /** Stops listening while changes are applied and read elsewhere... */
  pause(): void;
  /** ...and listens again, with the files' lengths read afresh. */
  resume(): void;
  stop(): void;
}

/** Appends the ops of a delta of file `fileId`'s text to `ops`; a replacement (delete then insert at one place) reads as one op. */
export function pushDeltaOps(ops: ChangeOp[], fileId: string, delta: readonly TextDeltaPart[]): void {
  let pos = 0;
  for (const part of delta) {
    if ('retain' in part) pos += part.retain;
    else if ('delete' in part) ops.push({ file: fileId, pos, del: part.delete, ins: '' });
    else {
      const last = ops.at(-1);
      if (last && last.file === fileId && last.pos === pos && last.ins === '' && last.del > 0) last.ins = part.insert;
      else ops.push({ file: fileId, pos, del: 0, ins: part.insert });
      pos += part.insert.length;
    }
  }
}

/**
 * Turns the changes applied to a room document into positional ops (file,
 * position, deleted count, inserted text) from the text deltas, read near
 * each change (`text-delta.ts`). It runs in the history worker while it
 * replays recorded updates (`history-tasks.ts`), never on the keystroke path.
 * A new file is one insertion of its text, a deleted one the deletion of it.
 */
export function observeOps(doc: Y.Doc): OpsObserver {
  const code = doc.getText(CODE_TEXT);
  const files = doc.getMap<unknown>(FILES_MAP);
  let ops: ChangeOp[] = [];
  let paths: Map<string, string> | undefined;
  const reader = new TextDeltaReader();
  const lengths = new Map<string, number>();
  const readLengths = () => {
    lengths.clear();
    lengths.set(ENTRY_FILE_ID, code.length);
    for (const [id, record] of files.entries()) {
      const text = record instanceof Y.Map ? record.get(FILE_TEXT) : undefined;
      if (text instanceof Y.Text) lengths.set(id, text.length);
    }
  };
  readLengths();

  const addTextOps = (fileId: string, event: Y.YTextEvent) => {
    pushDeltaOps(ops, fileId, reader.read(event));
    lengths.set(fileId, (event.target as Y.Text).length);
  };
  const deleteWhole = (fileId: string) => {
    const length = lengths.get(fileId) ?? 0;
    lengths.delete(fileId);
    if (length > 0) ops.push({ file: fileId, pos: 0, del: length, ins: '' });
  };
  const onCode = (event: Y.YTextEvent) => addTextOps(ENTRY_FILE_ID, event);
  const onFiles = (events: Y.YEvent<any>[]) => {
    for (const event of events) {
      if (event.target instanceof Y.Text) {
        const fileId = event.path[0];
        if (typeof fileId === 'string') addTextOps(fileId, event as Y.YTextEvent);
        continue;
      }
      paths = undefined;
      if (event.target !== files) continue;
      for (const [fileId, change] of event.changes.keys) {
        if (change.action === 'delete') {
          deleteWhole(fileId);
          continue;
        }
        if (change.action === 'update') deleteWhole(fileId);
        const text = (files.get(fileId) as Y.Map<unknown> | undefined)?.get?.(FILE_TEXT);
        if (text instanceof Y.Text) {
          const ins = text.toString();
          lengths.set(fileId, ins.length);
          if (ins) ops.push({ file: fileId, pos: 0, del: 0, ins });
        }
      }
    }
  };
  const listen = () => {
    code.observe(onCode);
    files.observeDeep(onFiles);
  };
  const stopListening = () => {
    code.unobserve(onCode);
    files.unobserveDeep(onFiles);
  };
  listen();
  return {
    take() {
      const taken = ops;
      ops = [];
      return taken;
    },
    paths() {
      paths ??= new Map(readFileTree(doc).files.map((file) => [file.id, file.path]));
      return paths;
    },
    reader,
    pause: stopListening,
    resume() {
      readLengths();
      listen();
    },
    stop: stopListening,
  };
}
