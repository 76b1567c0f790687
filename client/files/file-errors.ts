import { FileError } from '../../shared/room-files.ts';
import { MAX_PATH_LENGTH } from '../../shared/protocol.ts';

/**
 * What to tell the person when a change to the files was refused (a
 * `FileError` from `shared/room-files.ts`); anything else is a bug and is
 * rethrown.
 */
export function describeFileError(error: unknown): string {
  if (!(error instanceof FileError)) throw error;
  switch (error.code) {
    case 'invalid_path':
      return error.message.includes('into itself')
        ? error.message
        : `Not a valid path. Use letters, digits, space, “.”, “_” and “-”, with “/” between folders (no “..”, at most ${MAX_PATH_LENGTH} characters).`;
    case 'path_exists':
      return error.message.endsWith('already exists') ? `${error.message.replace(/ already exists$/, '')} already exists. Choose another name.` : error.message;
    case 'entry_file':
      return 'The entry file cannot be deleted: it is the program the room runs.';
    case 'file_not_found':
      return 'That file or folder is no longer there (someone may have moved or deleted it).';
    case 'too_many_files':
      return error.message;
    default:
      return error.code satisfies never;
  }
}
