import { MAX_FILES, MAX_FOLDERS, type Language } from '../../shared/protocol.ts';
import { FileError, type NewRoomFiles } from '../../shared/room-files.ts';
import { languageOfPath, normalizePath, parentFolders } from '../../shared/file-paths.ts';

/** A file of a new room as a client sent it (JSON body or zip entry). */
export interface RequestedFile {
  path: string;
  content: string;
  language?: Language;
}

/** What {@link planNewRoomFiles} decided: the seed, and the room's language (the entry file's). */
export interface NewRoomPlan {
  seed: NewRoomFiles;
  language: Language;
}

/**
 * Checks the files of a room about to be created and decides its entry:
 * every path canonical (`invalid_path`), none twice and none a folder of
 * another (`path_exists`), at most `MAX_FILES` files (`too_many_files`) and
 * `MAX_FOLDERS` empty folders, at least one file. The entry is `entry` when
 * given (it must be one of the files), else a root `main.*`, else the first
 * file in path order. The room's language is the entry file's: set, else by
 * its extension, else `fallbackLanguage`. Throws {@link FileError}; sizes are the caller's.
 */
export function planNewRoomFiles(
  requested: readonly RequestedFile[],
  options: { entry?: string; folders?: readonly string[]; fallbackLanguage: Language; /** Overrides the entry file's own language. */ entryLanguage?: Language },
): NewRoomPlan {
  if (requested.length > MAX_FILES) throw new FileError('too_many_files', `A room holds at most ${MAX_FILES} files; got ${requested.length}`);
  if (requested.length === 0) throw new FileError('invalid_path', 'A room needs at least one file');
  const files: RequestedFile[] = [];
  const paths = new Set<string>();
  for (const file of requested) {
    const path = checked(file.path);
    if (paths.has(path)) throw new FileError('path_exists', `${path} is given twice`);
    paths.add(path);
    files.push({ ...file, path });
  }
  for (const path of paths) {
    const clash = parentFolders(path).find((folder) => paths.has(folder));
    if (clash) throw new FileError('path_exists', `${clash} is a file, so ${path} cannot be in it`);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const holding = new Set(files.flatMap((file) => parentFolders(file.path)));
  const folders = new Set<string>();
  for (const raw of options.folders ?? []) {
    const folder = checked(raw);
    if (paths.has(folder) || parentFolders(folder).some((parent) => paths.has(parent))) throw new FileError('path_exists', `${folder} is a file`);
    // Folders holding a file need no record; nor do the parents of an empty one.
    if (!holding.has(folder)) folders.add(folder);
  }
  for (const folder of [...folders]) for (const parent of parentFolders(folder)) folders.delete(parent);
  if (folders.size > MAX_FOLDERS) throw new FileError('too_many_files', `A room records at most ${MAX_FOLDERS} empty folders; got ${folders.size}`);

  let entry: RequestedFile | undefined;
  if (options.entry !== undefined) {
    const path = checked(options.entry);
    entry = files.find((file) => file.path === path);
    if (!entry) throw new FileError('invalid_path', `The entry ${path} is not one of the files`);
  } else {
    entry = files.find((file) => !file.path.includes('/') && file.path.startsWith('main.')) ?? files[0];
  }
  const byExtension = languageOfPath(entry.path);
  const language = options.entryLanguage ?? entry.language ?? (byExtension !== 'plaintext' ? byExtension : options.fallbackLanguage);
  return { seed: { entry: entry.path, files, folders: [...folders].sort() }, language };
}

function checked(raw: string): string {
  const path = normalizePath(raw);
  if (path === null) throw new FileError('invalid_path', `Not a valid path: ${JSON.stringify(String(raw).slice(0, 300))}`);
  return path;
}
