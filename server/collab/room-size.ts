import * as Y from 'yjs';
import { CHAT_ARRAY, CODE_TEXT, FILE_LANGUAGE, FILE_PATH, FILE_TEXT, FILES_MAP, FOLDERS_MAP, META_LANGUAGE, META_MAP, META_TITLE } from '../../shared/protocol.ts';

/**
 * The size of a room, in bytes, as `MAX_DOCUMENT_BYTES` counts it: 2 per
 * UTF-16 code unit of `code`, of every file's text, path and language, of
 * every folder's path, and of the title and language in `meta`.
 */
export function measureRoom(doc: Y.Doc): number {
  return bytesOfCodeAndMeta(doc) + bytesOfFiles(doc).bytes;
}

/**
 * {@link measureRoom} for the typing path: the same figure, without walking
 * every file on each keystroke. The part outside `code` and `meta` is kept
 * per document and updated after each transaction: a change to a file's
 * text moves it by that text's change in length; any other change to
 * `files` or `folders` (a file created, renamed, deleted) makes it be
 * measured again at the next call. O(1) while people type.
 */
export function currentRoomBytes(doc: Y.Doc): number {
  let tally = tallies.get(doc);
  if (tally === undefined) {
    tally = { stale: true, bytes: 0, texts: new Map() };
    tallies.set(doc, tally);
    const tracked = tally;
    doc.on('afterTransaction', (transaction: Y.Transaction) => noteTransaction(tracked, transaction, doc));
  }
  if (tally.stale) {
    const measured = bytesOfFiles(doc);
    tally.bytes = measured.bytes;
    tally.texts = measured.texts;
    tally.stale = false;
  }
  return bytesOfCodeAndMeta(doc) + tally.bytes;
}

interface Tally {
  /** True until measured, and after a change that is not typing in a file. */
  stale: boolean;
  /** Bytes of files and folders (everything but `code` and `meta`). */
  bytes: number;
  /** The length each file's text had when last counted. */
  texts: Map<Y.Text, number>;
}

const tallies = new WeakMap<Y.Doc, Tally>();

function noteTransaction(tally: Tally, transaction: Y.Transaction, doc: Y.Doc): void {
  if (tally.stale) return;
  const code = doc.share.get(CODE_TEXT);
  const meta = doc.share.get(META_MAP);
  const chat = doc.share.get(CHAT_ARRAY);
  for (const changed of transaction.changed.keys()) {
    if (changed === code || changed === meta) continue; // measured at each call
    if (changed === chat) continue; // not counted (the chat has its own bound)
    const type = changed as unknown;
    const counted = type instanceof Y.Text ? tally.texts.get(type) : undefined;
    if (counted === undefined) {
      tally.stale = true;
      return;
    }
    const length = (type as Y.Text).length;
    tally.bytes += 2 * (length - counted);
    tally.texts.set(type as Y.Text, length);
  }
}

function bytesOfCodeAndMeta(doc: Y.Doc): number {
  const meta = doc.getMap(META_MAP);
  const title = meta.get(META_TITLE);
  const language = meta.get(META_LANGUAGE);
  return 2 * (doc.getText(CODE_TEXT).length + (typeof title === 'string' ? title.length : 0) + (typeof language === 'string' ? language.length : 0));
}

/** Bytes of every file record and folder; walks `_map` directly (no arrays built). */
function bytesOfFiles(doc: Y.Doc): { bytes: number; texts: Map<Y.Text, number> } {
  const texts = new Map<Y.Text, number>();
  let units = 0;
  const files = doc.share.get(FILES_MAP);
  if (files !== undefined) {
    for (const item of files._map.values()) {
      if (item.deleted || !(item.content instanceof Y.ContentType)) continue;
      const record = item.content.type;
      units += lengthOfValue(record._map.get(FILE_PATH)) + lengthOfValue(record._map.get(FILE_LANGUAGE));
      const textItem = record._map.get(FILE_TEXT);
      if (textItem !== undefined && !textItem.deleted && textItem.content instanceof Y.ContentType && textItem.content.type instanceof Y.Text) {
        const text = textItem.content.type;
        texts.set(text, text.length);
        units += text.length;
      }
    }
  }
  const folders = doc.share.get(FOLDERS_MAP);
  if (folders !== undefined) {
    for (const [path, item] of folders._map) if (!item.deleted) units += path.length;
  }
  return { bytes: 2 * units, texts };
}

/** Characters of a map entry holding one string, 0 otherwise. */
function lengthOfValue(item: Y.Item | undefined): number {
  if (item === undefined || item.deleted || !(item.content instanceof Y.ContentAny)) return 0;
  const value = item.content.arr[item.content.arr.length - 1];
  return typeof value === 'string' ? value.length : 0;
}
