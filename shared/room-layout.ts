import * as Y from 'yjs';
import { isCanonicalPath } from './file-paths.ts';
import { isChatMessage } from './room-chat.ts';
import {
  CHAT_ARRAY, CHAT_MAX_LIVE, CODE_TEXT, ENTRY_FILE_ID, FILE_ID_PATTERN, FILE_LANGUAGE, FILE_PATH, FILE_TEXT, FILES_MAP, FOLDERS_MAP, LANGUAGES,
  MAX_EDITORS_LIMIT, MAX_FILES, MAX_FOLDERS, MAX_TITLE_LENGTH, META_LANGUAGE, META_LOCKED, META_MAP, META_MAX_EDITORS, META_TITLE,
} from './protocol.ts';

/**
 * The rules of the room layout (`shared/protocol.ts`) as predicates: the
 * update guard checks every new item with them, and {@link findLayoutProblem}
 * checks a whole document (tests, and anything that must trust a state it
 * did not build). One place to change when the layout grows.
 */

/** The root types a room has; Yjs creates a root for any name it reads, so no other may appear. */
export const ROOT_NAMES: ReadonlySet<string> = new Set([CODE_TEXT, META_MAP, FILES_MAP, FOLDERS_MAP, CHAT_ARRAY]);

/** Keys `meta` may hold, with the longest string each may be (characters). */
export const META_KEYS: ReadonlyMap<string, number> = new Map([
  [META_TITLE, MAX_TITLE_LENGTH],
  [META_LANGUAGE, 32],
]);

const LANGUAGE_SET: ReadonlySet<string> = new Set(LANGUAGES);

/** True when `key` may name a file record in `files`. */
export function isFileId(key: string): boolean {
  return FILE_ID_PATTERN.test(key);
}

/** True when a client may store `value` under `key` of `meta`. */
export function isMetaValue(key: string, value: unknown): boolean {
  const longest = META_KEYS.get(key);
  return longest !== undefined && typeof value === 'string' && value.length <= longest;
}

/** Keys of `meta` only the server sets (for the owner); no client may set or delete them. */
export const SERVER_META_KEYS: ReadonlySet<string> = new Set([META_LOCKED, META_MAX_EDITORS]);

/** True when the server may store `value` under `key` of `meta`: a boolean `locked`, an integer `maxEditors` from 1 to {@link MAX_EDITORS_LIMIT}. */
export function isServerMetaValue(key: string, value: unknown): boolean {
  if (key === META_LOCKED) return typeof value === 'boolean';
  if (key === META_MAX_EDITORS) return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_EDITORS_LIMIT;
  return false;
}

/**
 * True when a file record may hold a plain value `value` under `key`: a
 * canonical `path`, or a known `language` (not in the entry's record, whose
 * language is `meta.language`). `text` holds a `Y.Text`, never a plain value.
 */
export function isRecordValue(entry: boolean, key: string, value: unknown): boolean {
  if (key === FILE_PATH) return isCanonicalPath(value);
  if (key === FILE_LANGUAGE) return !entry && typeof value === 'string' && LANGUAGE_SET.has(value);
  return false;
}

/** True when `key` of a file record holds the file's text (never in the entry's record: its text is `code`). */
export function isRecordTextKey(entry: boolean, key: string): boolean {
  return !entry && key === FILE_TEXT;
}

/** True when `folders` may hold `value` under `key`: a canonical path mapped to `true`. */
export function isFolderEntry(key: string, value: unknown): boolean {
  return value === true && isCanonicalPath(key);
}

/**
 * What is wrong with `doc` against the layout, or `undefined` when nothing
 * is: only the five roots; `meta`'s two strings; `code` and every file text
 * plain strings (no formats, embeds or nested types); `files` keyed by ids,
 * each a `Y.Map` record with only the keys and values its kind allows;
 * `folders` canonical paths to `true`; `chat` messages only (at most
 * `CHAT_MAX_LIVE`); at most {@link MAX_FILES} files (the
 * entry counts) and {@link MAX_FOLDERS} folders; nothing pending in Yjs.
 * O(size of the document): not for the typing path.
 */
export function findLayoutProblem(doc: Y.Doc): string | undefined {
  if (doc.store.pendingStructs !== null) return 'pending structs';
  if (doc.store.pendingDs !== null) return 'pending delete set';
  for (const name of doc.share.keys()) if (!ROOT_NAMES.has(name)) return `root ${JSON.stringify(name)}`;
  const textProblem = plainTextProblem(doc.getText(CODE_TEXT));
  if (textProblem) return `code: ${textProblem}`;
  for (const [key, value] of doc.getMap(META_MAP).entries()) if (!isMetaValue(key, value) && !isServerMetaValue(key, value)) return `meta.${key}`;
  const files = doc.getMap<unknown>(FILES_MAP);
  let fileCount = files.has(ENTRY_FILE_ID) ? 0 : 1;
  for (const [id, record] of files.entries()) {
    fileCount++;
    if (!isFileId(id)) return `file id ${JSON.stringify(id)}`;
    if (!isExactly(record, Y.Map)) return `file ${id} is not a Y.Map`;
    const entry = id === ENTRY_FILE_ID;
    for (const [key, value] of (record as Y.Map<unknown>).entries()) {
      if (isRecordTextKey(entry, key)) {
        if (!isExactly(value, Y.Text)) return `file ${id}: text is not a Y.Text`;
        const problem = plainTextProblem(value as Y.Text);
        if (problem) return `file ${id}: ${problem}`;
      } else if (!isRecordValue(entry, key, value)) return `file ${id}: ${key}`;
    }
  }
  if (fileCount > MAX_FILES) return `${fileCount} files`;
  const folders = doc.getMap<unknown>(FOLDERS_MAP);
  let folderCount = 0;
  for (const [path, value] of folders.entries()) {
    folderCount++;
    if (!isFolderEntry(path, value)) return `folder ${JSON.stringify(path)}`;
  }
  if (folderCount > MAX_FOLDERS) return `${folderCount} folders`;
  const chat = doc.share.get(CHAT_ARRAY);
  if (chat !== undefined) {
    if (!isExactly(chat, Y.Array) && !isExactly(chat, Y.AbstractType)) return 'chat is not a Y.Array';
    let messages = 0;
    for (let item = chat._start; item !== null; item = item.right) {
      if (item.deleted) continue;
      if (!(item.content instanceof Y.ContentAny)) return `chat holds ${item.content.constructor.name}`;
      for (const value of item.content.arr) if (!isChatMessage(value)) return 'chat holds something other than a message';
      messages += item.content.arr.length;
    }
    if (messages > CHAT_MAX_LIVE) return `${messages} chat messages`;
  }
  return undefined;
}

/** True when `value` is an instance of exactly `type` (a `Y.XmlText` is a `Y.Text` subclass, a `Y.XmlHook` a `Y.Map` one). */
export function isExactly(value: unknown, type: abstract new (...args: never[]) => unknown): boolean {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === type.prototype;
}

/** Why a text holds something other than plain strings (formats, embeds, types), if it does. */
function plainTextProblem(text: Y.Text): string | undefined {
  for (let item = text._start; item !== null; item = item.right) {
    if (item.deleted) continue;
    if (!(item.content instanceof Y.ContentString)) return `holds ${item.content.constructor.name}`;
  }
  return undefined;
}
