import { z } from 'zod';
import { DEFAULT_LANGUAGE, LANGUAGES, MAX_EDITORS_LIMIT, MAX_PATH_LENGTH, MAX_TITLE_LENGTH } from '../protocol.ts';

/** One of the supported languages (see `LANGUAGES` in `shared/protocol.ts`). */
export const language = z.enum(LANGUAGES).meta({ id: 'Language', description: 'Language of the code' });

/** One file of a new room (`POST /api/rooms` with `files`). */
export const newRoomFile = z
  .strictObject({
    /** Where the file is: `/`-separated segments (see `normalizePath` in `shared/file-paths.ts`); checked and NFC-normalized on the server. */
    path: z.string().min(1).max(4 * MAX_PATH_LENGTH).meta({ example: 'src/main.py' }),
    /** The file's text. */
    content: z.string().default(''),
    /** Its language; default: by its extension (`plaintext` when none matches). */
    language: language.optional(),
  })
  .meta({ id: 'NewRoomFile' });
export type NewRoomFile = z.infer<typeof newRoomFile>;

/** Body of `POST /api/rooms`; every field is optional. */
export const createRoomRequest = z
  .strictObject({
    /** Language of the room; default `python`. With `files`, the entry file's language wins when it has one (set, or by its extension). */
    language: language.default(DEFAULT_LANGUAGE),
    /** Free-form title shown in the client; default empty. */
    title: z.string().max(MAX_TITLE_LENGTH).default(''),
    /** Initial code, seeded on the server: the room's one file, `main.<ext>`. Ignored with `files`. The 1 MiB body limit bounds it. */
    code: z.string().default(''),
    /** The files of the room (at most `MAX_FILES`, 200); instead of `code`. */
    files: z.array(newRoomFile).optional(),
    /** With `files`: the entry file's path; default `main.*` at the root, else the first file in path order. */
    entry: z.string().min(1).max(4 * MAX_PATH_LENGTH).optional(),
  })
  .meta({ id: 'CreateRoomRequest' });
export type CreateRoomRequest = z.infer<typeof createRoomRequest>;

/** A room as the REST API returns it. */
export const room = z
  .object({
    /** The edit id: the Hocuspocus document name and the `/yjs/:roomId` path. Absent when the room was read with its view id. */
    roomId: z.string().optional().meta({ description: 'Url-safe, unguessable edit id (128 random bits); absent for view access' }),
    /** The read-only id: works wherever the room id does, but can never change the document. */
    viewId: z.string().meta({ description: 'Url-safe, unguessable read-only id' }),
    /** What the id used grants. */
    access: z.enum(['edit', 'view']),
    /**
     * Links to share: `edit` (only for edit access) opens `/r/:roomId`, `view`
     * opens `/v/:viewId`; `owner` (only in the answer to `POST /api/rooms`)
     * is the edit link with the owner key in its fragment, `/r/:roomId#owner=<key>`.
     */
    links: z.object({ edit: z.url().optional(), view: z.url(), owner: z.string().optional() }),
    /** The owner key (128 random bits, base64url): only in the answer to `POST /api/rooms`, shown once; the server keeps only its hash. */
    ownerKey: z.string().optional().meta({ description: 'Shown once, at creation; send it as `Authorization: Bearer <ownerKey>` for owner actions' }),
    /** True when the room has an owner (rooms made before owners existed have none). */
    hasOwner: z.boolean().optional(),
    /** True while the owner has the room locked: only the owner's edits apply. */
    locked: z.boolean().optional(),
    /** The most editors the room admits (viewers not counted); absent: no limit. */
    maxEditors: z.int().min(1).max(MAX_EDITORS_LIMIT).optional(),
    language,
    title: z.string(),
    /** The code; live when the room is loaded. */
    code: z.string(),
    /** The entry file's path (the file `code` is the text of). */
    entry: z.string().optional(),
    /** How many files the room holds. */
    fileCount: z.int().positive().optional(),
    /** ISO-8601 creation time. */
    createdAt: z.iso.datetime(),
    /** ISO-8601 time of the last stored change. */
    updatedAt: z.iso.datetime(),
    /** Clients connected to the room right now. */
    activeUsers: z.int().nonnegative(),
  })
  .meta({ id: 'Room' });
export type Room = z.infer<typeof room>;

/** Path parameters of the room routes. */
export const roomParams = z.object({ roomId: z.string() });

/** Body of `PATCH /api/rooms/:roomId` (the owner's settings); every field is optional. */
export const patchRoomRequest = z
  .strictObject({
    /** Locks (`true`) or unlocks the room: while locked, only the owner's edits apply. */
    locked: z.boolean().optional(),
    /** The most editors the room admits (viewers and the owner are never refused); `null` removes the limit. */
    maxEditors: z.int().min(1).max(MAX_EDITORS_LIMIT).nullable().optional(),
    /** A new title. */
    title: z.string().max(MAX_TITLE_LENGTH).optional(),
    /** A new language (the entry file's). */
    language: language.optional(),
  })
  .meta({ id: 'PatchRoomRequest' });
export type PatchRoomRequest = z.infer<typeof patchRoomRequest>;
