import * as Y from 'yjs';
import { CODE_TEXT, FILE_LANGUAGE, FILE_PATH, FILE_TEXT, META_LANGUAGE, META_MAP, META_TITLE } from '../../shared/protocol.ts';
import { filesMap, foldersMap, type NewRoomFiles } from '../../shared/room-files.ts';

/**
 * The size of a room as `MAX_DOCUMENT_BYTES` counts it, the same figure as
 * the socket guard's `measureRoom` (guard-files branch,
 * `server/collab/room-size.ts`; use that one once merged): 2 bytes per
 * UTF-16 code unit of `code`, of every file record's text, path and
 * language, of every folder's path, and of the title and language.
 * O(files); REST changes only.
 */
export function measureRoomFiles(doc: Y.Doc): number {
  const meta = doc.getMap(META_MAP);
  let units = doc.getText(CODE_TEXT).length + lengthOf(meta.get(META_TITLE)) + lengthOf(meta.get(META_LANGUAGE));
  for (const record of filesMap(doc).values()) {
    if (!(record instanceof Y.Map)) continue;
    units += lengthOf(record.get(FILE_PATH)) + lengthOf(record.get(FILE_LANGUAGE));
    const text = record.get(FILE_TEXT);
    if (text instanceof Y.Text) units += text.length;
  }
  for (const folder of foldersMap(doc).keys()) units += folder.length;
  return 2 * units;
}

/** {@link measureRoomFiles} of a room about to be created from `seed`. */
export function measureNewRoom(seed: NewRoomFiles, title: string, language: string): number {
  let units = title.length + language.length;
  for (const file of seed.files) units += file.content.length + file.path.length + (file.path === seed.entry ? 0 : (file.language?.length ?? 0));
  for (const folder of seed.folders ?? []) units += folder.length;
  return 2 * units;
}

function lengthOf(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}
