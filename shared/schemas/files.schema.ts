import { z } from 'zod';
import { MAX_PATH_LENGTH, MAX_TITLE_LENGTH } from '../protocol.ts';
import { language } from './room.schema.ts';

/** A path as a client sends it; `normalizePath` (`shared/file-paths.ts`) decides whether it is one. */
const rawPath = z.string().min(1).max(4 * MAX_PATH_LENGTH);

/** One file in `GET /api/rooms/:roomId/files`. */
export const fileInfo = z
  .object({
    /** Canonical path (`/`-separated). */
    path: z.string().meta({ example: 'src/main.py' }),
    language,
    /** Size of the text in UTF-8 bytes. */
    size: z.int().nonnegative(),
  })
  .meta({ id: 'FileInfo' });
export type FileInfo = z.infer<typeof fileInfo>;

/** Answer of `GET /api/rooms/:roomId/files`. */
export const fileList = z
  .object({
    /** The entry file's path: the program a run starts, and `code` in the document. */
    entry: z.string(),
    /** Every file, in path order (UTF-16 code unit order). */
    files: z.array(fileInfo),
    /** Folders that hold no file (explicitly created), in path order. */
    folders: z.array(z.string()),
  })
  .meta({ id: 'FileList' });
export type FileList = z.infer<typeof fileList>;

/** Body of `POST /api/rooms/:roomId/files/move`. */
export const moveFileRequest = z
  .strictObject({
    /** The file or folder to move. */
    from: rawPath,
    /** Its new path; must be free. */
    to: rawPath,
  })
  .meta({ id: 'MoveFileRequest' });
export type MoveFileRequest = z.infer<typeof moveFileRequest>;

/** Query of `PUT /api/rooms/:roomId/files/<path>`. */
export const writeFileQuery = z.object({
  /** Sets the file's language; default: kept (a new file's follows its extension). */
  language: language.optional(),
});

/** Query of `POST /api/rooms` with a zip body (`application/zip`). */
export const createRoomFromZipQuery = z.object({
  /** The entry file's path; default a root `main.*`, else the first file in path order. */
  entry: rawPath.optional(),
  /** The room's title; default empty. */
  title: z.string().max(MAX_TITLE_LENGTH).default(''),
  /** The entry file's language; default by its extension. */
  language: language.optional(),
});
