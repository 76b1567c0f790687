import * as Y from 'yjs';
import { CODE_TEXT, ENTRY_FILE_ID, META_LANGUAGE, META_MAP } from '../../shared/protocol.ts';
import { filesMap, readFileTree } from '../../shared/room-files.ts';
import type { FoldedFile } from './room-files.repository.ts';

/**
 * Which files of a loaded room changed since its last fold, so a fold
 * rewrites only their `room_files` rows. Reads only the types each
 * transaction touched (O(1) per keystroke); renames, creates and deletes
 * need no tracking: the fold compares paths and ids with the stored rows.
 */
export class FileChanges {
  private changed = new Set<string>();
  private readonly files: Y.Map<unknown>;
  private readonly code: Y.Text;
  private readonly meta: Y.Map<unknown>;

  constructor(private readonly doc: Y.Doc) {
    this.files = filesMap(doc) as Y.Map<unknown>;
    this.code = doc.getText(CODE_TEXT);
    this.meta = doc.getMap(META_MAP);
    doc.on('afterTransaction', this.note);
  }

  /** Takes the ids changed so far; give them back with {@link restore} if the fold fails. */
  take(): Set<string> {
    const taken = this.changed;
    this.changed = new Set();
    return taken;
  }

  restore(taken: ReadonlySet<string>): void {
    for (const id of taken) this.changed.add(id);
  }

  stop(): void {
    this.doc.off('afterTransaction', this.note);
  }

  private readonly note = (transaction: Y.Transaction): void => {
    for (const [changed, keys] of transaction.changed) {
      const type = changed as Y.AbstractType<unknown>;
      if (type === (this.code as Y.AbstractType<unknown>)) this.changed.add(ENTRY_FILE_ID);
      else if (type === this.meta) {
        if (keys.has(META_LANGUAGE)) this.changed.add(ENTRY_FILE_ID);
      } else if (type === (this.files as Y.AbstractType<unknown>)) {
        for (const key of keys) if (key !== null) this.changed.add(key);
      } else {
        const id = this.fileIdOf(type);
        if (id !== undefined) this.changed.add(id);
      }
    }
  };

  /** The file a nested type belongs to: a record (its key in `files`) or a record's text. */
  private fileIdOf(type: Y.AbstractType<unknown>): string | undefined {
    let current: Y.AbstractType<unknown> | null = type;
    for (let depth = 0; current && depth < 3; depth++) {
      const item: Y.Item | null = current._item;
      if (!item) return undefined;
      if (item.parent === this.files) return item.parentSub ?? undefined;
      current = item.parent as Y.AbstractType<unknown> | null;
    }
    return undefined;
  }
}

/**
 * The files of `doc` for a fold's `room_files` rows. A file's text is read
 * when the fold asks, in the turn of its encoding; with `encodedTexts` (the
 * texts the fold worker read from its copy, at the moment the tree was read
 * here), from there: a text of megabytes is not walked on the main thread.
 */
export function foldedFiles(doc: Y.Doc, changed: ReadonlySet<string>, encodedTexts?: (fileId: string) => string | undefined): FoldedFile[] {
  return readFileTree(doc).files.map((file) => ({
    id: file.id,
    path: file.path,
    language: file.language,
    changed: changed.has(file.id),
    read: () => encodedTexts?.(file.id) ?? file.text.toString(),
  }));
}
