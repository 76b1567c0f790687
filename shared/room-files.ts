import * as Y from 'yjs';
import {
  CODE_TEXT, ENTRY_FILE_ID, FILE_LANGUAGE, FILE_PATH, FILE_TEXT, FILES_MAP, FOLDERS_MAP, MAX_FILES, MAX_FOLDERS,
  META_LANGUAGE, META_MAP, toLanguage, type Language,
} from './protocol.ts';
import { defaultEntryPath, isWithin, languageOfPath, moveTarget, normalizePath, parentFolders, uniquePath } from './file-paths.ts';

/**
 * Reads and changes the files of a room (layout in `shared/protocol.ts`).
 * Server, web client and tests all go through here, so every client
 * resolves paths, the entry file and clashes the same way.
 */

/** One file of a room, as everyone reads it. */
export interface RoomFile {
  /** Stable across renames: the key in the `files` map ({@link ENTRY_FILE_ID} for the entry). */
  id: string;
  /** Its path, after clashes are resolved (see {@link readFileTree}). */
  path: string;
  language: Language;
  /** True when `language` was set rather than derived from the extension (the entry's always is). */
  languageSet: boolean;
  text: Y.Text;
  entry: boolean;
}

/** Every file and folder of a room. */
export interface FileTree {
  /** The entry file's path. */
  entry: string;
  /** In path order (code unit order). */
  files: RoomFile[];
  /** Every folder, explicit or holding files, in path order. */
  folders: string[];
}

/** The codes of {@link FileError}, one each in `shared/errors.ts`. */
export type FileErrorCode = 'invalid_path' | 'file_not_found' | 'too_many_files' | 'entry_file' | 'path_exists';

/** A change to the files that cannot be made; nothing was changed. */
export class FileError extends Error {
  constructor(readonly code: FileErrorCode, message: string) {
    super(message);
    this.name = 'FileError';
  }
}

type FileRecord = Y.Map<unknown>;

export function filesMap(doc: Y.Doc): Y.Map<FileRecord> {
  return doc.getMap<FileRecord>(FILES_MAP);
}

export function foldersMap(doc: Y.Doc): Y.Map<true> {
  return doc.getMap<true>(FOLDERS_MAP);
}

/** A new random file id (16 base64url characters, 96 bits). */
export function newFileId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_');
}

/** How many files the room holds (the entry file always counts). */
export function fileCount(doc: Y.Doc): number {
  const files = filesMap(doc);
  return files.size + (files.has(ENTRY_FILE_ID) ? 0 : 1);
}

/**
 * Characters the files hold (every text, the entry's `code` included, and
 * every path): what the client counts against the room's size limit
 * beside the file being typed in. O(files), no tree resolved.
 */
export function filesTextLength(doc: Y.Doc): number {
  let length = doc.getText(CODE_TEXT).length;
  for (const record of filesMap(doc).values()) {
    if (!(record instanceof Y.Map)) continue;
    const text = record.get(FILE_TEXT);
    const path = record.get(FILE_PATH);
    if (text instanceof Y.Text) length += text.length;
    if (typeof path === 'string') length += path.length;
  }
  return length;
}

/**
 * Every file of the room with its resolved path. Clashes (concurrent
 * creates or renames to one path; a file whose path is a folder of
 * another) are resolved the same way everywhere: the entry, then files by
 * ascending id, each keeps its path if still free, else takes
 * `name (2).ext`, `name (3).ext`, …
 */
export function readFileTree(doc: Y.Doc): FileTree {
  const files = filesMap(doc);
  const meta = doc.getMap(META_MAP);
  const claims: { id: string; path: string; record: FileRecord | undefined }[] = [];
  const entryRecord = files.get(ENTRY_FILE_ID);
  const entryLanguage = toLanguage(meta.get(META_LANGUAGE));
  claims.push({ id: ENTRY_FILE_ID, path: pathOf(entryRecord) ?? defaultEntryPath(entryLanguage), record: entryRecord });
  const ids = [...files.keys()].filter((id) => id !== ENTRY_FILE_ID).sort();
  for (const id of ids) {
    const record = files.get(id);
    if (!(record instanceof Y.Map) || !(record.get(FILE_TEXT) instanceof Y.Text)) continue; // not a file (the guard refuses these)
    claims.push({ id, path: pathOf(record) ?? 'untitled', record });
  }

  const filePaths = new Set<string>();
  const folderPaths = new Set<string>();
  const taken = (candidate: string): boolean =>
    filePaths.has(candidate) || folderPaths.has(candidate) || parentFolders(candidate).some((folder) => filePaths.has(folder));
  const result: RoomFile[] = [];
  for (const { id, path: wanted, record } of claims) {
    const path = uniquePath(wanted, taken);
    filePaths.add(path);
    for (const folder of parentFolders(path)) folderPaths.add(folder);
    const entry = id === ENTRY_FILE_ID;
    const setLanguage = entry ? entryLanguage : record?.get(FILE_LANGUAGE);
    const languageSet = entry || typeof setLanguage === 'string';
    result.push({
      id,
      path,
      language: languageSet ? toLanguage(setLanguage) : languageOfPath(path),
      languageSet,
      text: entry ? doc.getText(CODE_TEXT) : (record!.get(FILE_TEXT) as Y.Text),
      entry,
    });
  }
  for (const folder of foldersMap(doc).keys()) {
    if (normalizePath(folder) === folder && !filePaths.has(folder) && !parentFolders(folder).some((parent) => filePaths.has(parent))) {
      folderPaths.add(folder);
      for (const parent of parentFolders(folder)) folderPaths.add(parent);
    }
  }
  result.sort((a, b) => compare(a.path, b.path));
  return { entry: result.find((file) => file.entry)!.path, files: result, folders: [...folderPaths].sort(compare) };
}

/** The file at `path` (resolved as {@link readFileTree} does), or undefined. */
export function findFile(doc: Y.Doc, path: string): RoomFile | undefined {
  return readFileTree(doc).files.find((file) => file.path === path);
}

/** The file with this id, or undefined (deleted, or never existed). */
export function findFileById(doc: Y.Doc, id: string): RoomFile | undefined {
  return readFileTree(doc).files.find((file) => file.id === id);
}

/**
 * Creates a file, or replaces the text of the one at `path` (a CRDT change
 * of only the part that differs, so others' cursors and concurrent edits
 * elsewhere in the file stay). Returns the file's id.
 */
export function writeFile(doc: Y.Doc, rawPath: string, content: string, options: { language?: Language; origin?: unknown } = {}): string {
  const path = checkedPath(rawPath);
  let id = '';
  doc.transact(() => {
    const existing = findFile(doc, path);
    if (existing) {
      replaceText(existing.text, content);
      if (options.language !== undefined) setLanguage(doc, existing, options.language);
      id = existing.id;
      return;
    }
    ensureFree(doc, path);
    if (fileCount(doc) >= MAX_FILES) throw new FileError('too_many_files', `A room holds at most ${MAX_FILES} files`);
    id = newFileId();
    const record = new Y.Map<unknown>();
    filesMap(doc).set(id, record);
    record.set(FILE_PATH, path);
    if (options.language !== undefined) record.set(FILE_LANGUAGE, options.language);
    const text = new Y.Text();
    record.set(FILE_TEXT, text);
    if (content) text.insert(0, content);
  }, options.origin);
  return id;
}

/** Creates an empty folder (a no-op when it exists, explicitly or by holding files). */
export function createFolder(doc: Y.Doc, rawPath: string, origin?: unknown): void {
  const path = checkedPath(rawPath);
  doc.transact(() => {
    const tree = readFileTree(doc);
    if (tree.folders.includes(path)) return;
    if (tree.files.some((file) => file.path === path || parentFolders(path).includes(file.path))) {
      throw new FileError('path_exists', `${path} is a file`);
    }
    const folders = foldersMap(doc);
    if (folders.size >= MAX_FOLDERS) throw new FileError('too_many_files', `A room records at most ${MAX_FOLDERS} empty folders`);
    folders.set(path, true);
  }, origin);
}

/**
 * Deletes a file, or a folder with everything in it. The entry file (or a
 * folder holding it) cannot be deleted: `entry_file`.
 */
export function deletePath(doc: Y.Doc, rawPath: string, origin?: unknown): void {
  const path = checkedPath(rawPath);
  doc.transact(() => {
    const tree = readFileTree(doc);
    const inside = tree.files.filter((file) => isWithin(file.path, path));
    const isFolder = tree.folders.includes(path);
    if (inside.length === 0 && !isFolder) throw new FileError('file_not_found', `No file or folder at ${path}`);
    if (inside.some((file) => file.entry)) throw new FileError('entry_file', `${tree.entry} is the entry file and cannot be deleted`);
    for (const file of inside) filesMap(doc).delete(file.id);
    removeExplicitFolders(doc, [...foldersMap(doc).keys()].filter((folder) => isWithin(folder, path)));
  }, origin);
}

/**
 * Renames or moves a file or a folder (with everything in it). The entry
 * file stays the entry wherever it goes. Refused when `to` is taken, or
 * a folder would move into itself.
 */
export function movePath(doc: Y.Doc, rawFrom: string, rawTo: string, origin?: unknown): void {
  const from = checkedPath(rawFrom);
  const to = checkedPath(rawTo);
  if (from === to) return;
  if (isWithin(to, from)) throw new FileError('invalid_path', `${from} cannot move into itself`);
  doc.transact(() => {
    const tree = readFileTree(doc);
    const moving = tree.files.filter((file) => isWithin(file.path, from));
    const movingFolders = [...foldersMap(doc).keys()].filter((folder) => isWithin(folder, from));
    if (moving.length === 0 && !tree.folders.includes(from)) throw new FileError('file_not_found', `No file or folder at ${from}`);
    ensureFree(doc, to);
    const targets = moving.map((file) => [file, moveTarget(file.path, from, to)!] as const);
    for (const [, target] of targets) checkedPath(target);
    for (const [file, target] of targets) {
      let record = filesMap(doc).get(file.id);
      if (record === undefined) {
        // The entry of a room made before files existed: give it its record.
        record = new Y.Map<unknown>();
        filesMap(doc).set(ENTRY_FILE_ID, record);
      }
      record.set(FILE_PATH, target);
      if (file.entry) {
        const language = languageOfPath(target);
        if (language !== 'plaintext' && language !== file.language) doc.getMap(META_MAP).set(META_LANGUAGE, language);
      }
    }
    const folders = foldersMap(doc);
    for (const folder of movingFolders) {
      folders.delete(folder);
      folders.set(checkedPath(moveTarget(folder, from, to)!), true);
    }
  }, origin);
}

/** Sets a file's language (the entry's is the room's `meta.language`). */
export function setLanguage(doc: Y.Doc, file: RoomFile, language: Language, origin?: unknown): void {
  doc.transact(() => {
    if (file.entry) doc.getMap(META_MAP).set(META_LANGUAGE, language);
    else filesMap(doc).get(file.id)?.set(FILE_LANGUAGE, language);
  }, origin);
}

/**
 * Makes `text` equal `content` by deleting and inserting only the middle
 * part that differs (common prefix and suffix kept).
 */
export function replaceText(text: Y.Text, content: string): void {
  const current = text.toString();
  if (current === content) return;
  let start = 0;
  const shortest = Math.min(current.length, content.length);
  while (start < shortest && current.charCodeAt(start) === content.charCodeAt(start)) start++;
  let end = 0;
  while (end < shortest - start && current.charCodeAt(current.length - 1 - end) === content.charCodeAt(content.length - 1 - end)) end++;
  // Never split a surrogate pair between the kept and the replaced part.
  if (start > 0 && isHighSurrogate(current.charCodeAt(start - 1))) start--;
  if (end > 0 && isLowSurrogate(current.charCodeAt(current.length - end))) end--;
  text.doc!.transact(() => {
    const removed = current.length - start - end;
    if (removed > 0) text.delete(start, removed);
    const inserted = content.slice(start, content.length - end);
    if (inserted) text.insert(start, inserted);
  });
}

/** The files of a new room: the entry first (its text goes to `code`). */
export interface NewRoomFiles {
  entry: string;
  files: { path: string; content: string; language?: Language }[];
  /** Empty folders (canonical paths, none holding a file). */
  folders?: string[];
}

/**
 * Writes the files of a new room into an empty document (in the caller's
 * transaction): the entry file's text into `code`, its path into its
 * record, and every other file. Paths must already be checked and unique.
 */
export function seedFiles(doc: Y.Doc, seed: NewRoomFiles): void {
  const files = filesMap(doc);
  for (const file of seed.files) {
    if (file.path === seed.entry) {
      if (file.content) doc.getText(CODE_TEXT).insert(0, file.content);
      const record = new Y.Map<unknown>();
      files.set(ENTRY_FILE_ID, record);
      record.set(FILE_PATH, file.path);
      continue;
    }
    const record = new Y.Map<unknown>();
    files.set(newFileId(), record);
    record.set(FILE_PATH, file.path);
    if (file.language !== undefined) record.set(FILE_LANGUAGE, file.language);
    const text = new Y.Text();
    record.set(FILE_TEXT, text);
    if (file.content) text.insert(0, file.content);
  }
  for (const folder of seed.folders ?? []) foldersMap(doc).set(folder, true);
}

function checkedPath(rawPath: string): string {
  const path = normalizePath(rawPath);
  if (path === null) throw new FileError('invalid_path', `Not a valid path: ${JSON.stringify(String(rawPath).slice(0, 300))}`);
  return path;
}

/** Throws `path_exists` when a file or folder is at `path`, or a file is at one of its folders. */
function ensureFree(doc: Y.Doc, path: string): void {
  const tree = readFileTree(doc);
  if (tree.files.some((file) => file.path === path) || tree.folders.includes(path)) throw new FileError('path_exists', `${path} already exists`);
  const blocking = tree.files.find((file) => parentFolders(path).includes(file.path));
  if (blocking) throw new FileError('path_exists', `${blocking.path} is a file, not a folder`);
}

function removeExplicitFolders(doc: Y.Doc, folders: string[]): void {
  const map = foldersMap(doc);
  for (const folder of folders) if (map.has(folder)) map.delete(folder);
}

function pathOf(record: FileRecord | undefined): string | undefined {
  const path = record instanceof Y.Map ? record.get(FILE_PATH) : undefined;
  return typeof path === 'string' && normalizePath(path) === path ? path : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
