import type * as Y from 'yjs';
import { readFileTree } from '../../shared/room-files.ts';
import type { StoredFile } from './room-files.repository.ts';

/** Every file of a document as `room_files` rows (a room stored again from memory). */
export function storedFilesOf(doc: Y.Doc): StoredFile[] {
  return readFileTree(doc).files.map((file) => ({ path: file.path, fileId: file.id, language: file.language, content: file.text.toString() }));
}
