import * as Y from 'yjs';
import { isChatMessage } from '../../shared/room-chat.ts';
import { CHAT_ARRAY, CHAT_MAX_LIVE, ENTRY_FILE_ID, FILE_PATH, FILE_TEXT, FILES_MAP, FOLDERS_MAP, MAX_FILES, MAX_FOLDERS, META_MAP } from '../../shared/protocol.ts';
import { isExactly, isFileId, isFolderEntry, isMetaValue, isRecordTextKey, isRecordValue, SERVER_META_KEYS } from '../../shared/room-layout.ts';
import type { RecordContainer, Target } from './update-targets.ts';

type Content = Y.Item['content'];
type DeleteSet = ReturnType<typeof Y.decodeUpdate>['ds'];

/**
 * The layout rules for the new items of one update (`shared/protocol.ts`,
 * predicates in `shared/room-layout.ts`): what content each place takes,
 * what it adds to the room's size, and, once every item was seen, that new
 * file records are whole and that the room stays within {@link MAX_FILES}
 * files and {@link MAX_FOLDERS} folders, and at most `CHAT_MAX_LIVE` chat
 * messages. Typing in a text touches only {@link admitText}.
 */
export class UpdateLayout {
  /** 2 bytes per UTF-16 code unit of new content (deletions are not subtracted: the count errs on the safe side). */
  addedBytes = 0;
  /** Chat messages the update appends. */
  chatMessages = 0;
  /** Keys of `files` / `folders` new live items land under. */
  private fileKeys: Set<string> | undefined;
  private folderKeys: Set<string> | undefined;
  /** Records the update writes a `path` or a `text` into, by identity. */
  private records: Map<object, { container: RecordContainer; path: boolean; texts: number }> | undefined;

  /** A new item in `code` or a file's text: plain strings only. False to refuse. */
  admitText(content: Content): boolean {
    if (content instanceof Y.ContentString) {
      this.addedBytes += 2 * content.str.length;
      return true;
    }
    return content instanceof Y.ContentDeleted;
  }

  /**
   * A new item in `chat`: appended (no right neighbour; Yjs places it
   * among concurrent appends) and holding messages only. Not counted in
   * the room's size: the chat has its own bound (`CHAT_KEEP`). False to refuse.
   */
  admitChat(item: Y.Item): boolean {
    if (item.rightOrigin !== null || item.parentSub !== null) return false;
    const content = item.content;
    if (content instanceof Y.ContentDeleted) return true;
    if (!(content instanceof Y.ContentAny)) return false;
    for (const value of content.arr) if (!isChatMessage(value)) return false;
    this.chatMessages += content.arr.length;
    return true;
  }

  /** A new item at `target` (a map entry, `target.key` not null). False to refuse. */
  admitEntry(target: Target, content: Content): boolean {
    const key = target.key!;
    const container = target.container;
    const deleted = content instanceof Y.ContentDeleted;
    const value = content instanceof Y.ContentAny && content.arr.length === 1 ? content.arr[0] : undefined;
    switch (container) {
      case 'meta':
        if (deleted) return isMetaValue(key, '');
        if (!isMetaValue(key, value)) return false;
        this.addedBytes += 2 * (value as string).length;
        return true;
      case 'files':
        if (!isFileId(key)) return false;
        if (deleted) return true;
        if (!(content instanceof Y.ContentType) || !isExactly(content.type, Y.Map)) return false;
        (this.fileKeys ??= new Set()).add(key);
        this.recordOf({ kind: 'record', entry: key === ENTRY_FILE_ID, stored: undefined, identity: content.type });
        return true;
      case 'folders':
        if (deleted) return isFolderEntry(key, true);
        if (!isFolderEntry(key, value)) return false;
        (this.folderKeys ??= new Set()).add(key);
        this.addedBytes += 2 * key.length;
        return true;
      case 'code':
      case 'fileText':
      case 'chat':
      case 'dropped':
      case 'refused':
        return false;
      default:
        return this.admitRecordEntry(container, key, content, deleted, value);
    }
  }

  private admitRecordEntry(container: RecordContainer, key: string, content: Content, deleted: boolean, value: unknown): boolean {
    if (isRecordTextKey(container.entry, key)) {
      // A record has one text for life: a second would replace it (and the file's text with it).
      if (container.stored?._map.has(FILE_TEXT)) return false;
      const record = this.recordOf(container);
      if (++record.texts > 1 || !(content instanceof Y.ContentType) || !isExactly(content.type, Y.Text)) return false;
      return true;
    }
    if (deleted) return isRecordValue(container.entry, key, key === FILE_PATH ? 'a' : 'plaintext');
    if (!isRecordValue(container.entry, key, value)) return false;
    if (key === FILE_PATH) this.recordOf(container).path = true;
    this.addedBytes += 2 * (value as string).length;
    return true;
  }

  private recordOf(container: RecordContainer) {
    this.records ??= new Map();
    let record = this.records.get(container.identity);
    if (record === undefined) {
      record = { container, path: false, texts: 0 };
      this.records.set(container.identity, record);
    } else if (record.container.stored === undefined) record.container = container;
    return record;
  }

  /**
   * Checks what needs the whole update: a record the update creates has a
   * path (and, but for the entry's, a text); the file and folder counts.
   * `ds` is the update's delete set (entries it removes do not count).
   */
  finish(doc: Y.Doc, ds: DeleteSet): 'layout' | 'too_many_files' | 'chat_full' | undefined {
    // `meta.locked` and `meta.maxEditors` are the server's: a client can no more delete them than set them.
    if (ds.clients.size > 0) {
      const meta = doc.share.get(META_MAP)?._map;
      if (meta !== undefined) {
        for (const key of SERVER_META_KEYS) {
          const item = meta.get(key);
          if (item !== undefined && !item.deleted && deletedBy(ds, item.id)) return 'layout';
        }
      }
    }
    if (this.records !== undefined) {
      for (const { container, path, texts } of this.records.values()) {
        if (container.stored !== undefined) continue;
        if (!path || (!container.entry && texts !== 1)) return 'layout';
      }
    }
    if (this.fileKeys !== undefined) {
      const files = doc.share.get(FILES_MAP);
      const count = countAfter(files, this.fileKeys, ds);
      if (count !== undefined && count + (hasLive(files, ENTRY_FILE_ID, ds) || this.fileKeys.has(ENTRY_FILE_ID) ? 0 : 1) > MAX_FILES) return 'too_many_files';
    }
    if (this.folderKeys !== undefined) {
      const count = countAfter(doc.share.get(FOLDERS_MAP), this.folderKeys, ds);
      if (count !== undefined && count > MAX_FOLDERS) return 'too_many_files';
    }
    // The server trims to CHAT_KEEP when it stores; this bounds what a burst can add before that.
    if (this.chatMessages > 0 && ((doc.share.get(CHAT_ARRAY)?._length ?? 0) + this.chatMessages > CHAT_MAX_LIVE)) return 'chat_full';
    return undefined;
  }
}

/**
 * How many keys a map holds after the update (its live keys the delete set
 * does not remove, and the new keys), or undefined when every new key is
 * live already (the count cannot grow). O(keys × the update's delete ranges).
 */
function countAfter(map: Y.AbstractType<any> | undefined, newKeys: Set<string>, ds: DeleteSet): number | undefined {
  const live = map?._map;
  let grows = false;
  for (const key of newKeys) {
    const item = live?.get(key);
    if (item === undefined || item.deleted) grows = true;
  }
  if (!grows) return undefined;
  const keys = new Set(newKeys);
  if (live !== undefined) {
    for (const [key, item] of live) if (!item.deleted && !deletedBy(ds, item.id)) keys.add(key);
  }
  return keys.size;
}

function hasLive(map: Y.AbstractType<any> | undefined, key: string, ds: DeleteSet): boolean {
  const item = map?._map.get(key);
  return item !== undefined && !item.deleted && !deletedBy(ds, item.id);
}

/** True when a range of `ds` (unsorted, as the update sent it) covers `id`. */
function deletedBy(ds: DeleteSet, id: Y.ID): boolean {
  const ranges = ds.clients.get(id.client);
  if (ranges === undefined) return false;
  for (const range of ranges) if (id.clock >= range.clock && id.clock < range.clock + range.len) return true;
  return false;
}
