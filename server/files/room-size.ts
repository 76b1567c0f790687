import type * as Y from 'yjs';
import { META_LANGUAGE, META_MAP, META_TITLE } from '../../shared/protocol.ts';
import { filesMap, readFileTree, type NewRoomFiles } from '../../shared/room-files.ts';

/**
 * The size of a room as `MAX_DOCUMENT_BYTES` counts it for REST changes:
 * 2 bytes per UTF-16 code unit of every file's text, of every file path a
 * record holds (a room made before files existed has none) and of the
 * title and language. O(files); REST changes only.
 */
export function measureRoomFiles(doc: Y.Doc): number {
  const meta = doc.getMap(META_MAP);
  const title = meta.get(META_TITLE);
  const language = meta.get(META_LANGUAGE);
  let units = (typeof title === 'string' ? title.length : 0) + (typeof language === 'string' ? language.length : 0);
  const records = filesMap(doc);
  for (const file of readFileTree(doc).files) {
    units += file.text.length;
    if (records.has(file.id)) units += file.path.length;
  }
  return 2 * units;
}

/** {@link measureRoomFiles} of a room about to be created. */
export function measureNewRoom(seed: NewRoomFiles, title: string, language: string): number {
  let units = title.length + language.length;
  for (const file of seed.files) units += file.content.length + file.path.length;
  return 2 * units;
}
