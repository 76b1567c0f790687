import { z } from 'zod';

/** An author as history shows them: the display name and colour their connection had (`REST API` for REST changes with no token). */
export const historyAuthor = z
  .object({
    name: z.string(),
    /** A CSS colour; empty when unknown (REST changes). */
    color: z.string(),
  })
  .meta({ id: 'HistoryAuthor' });
export type HistoryAuthorBody = z.infer<typeof historyAuthor>;

/** One version in `GET /api/rooms/:roomId/history`. */
export const versionInfo = z
  .object({
    versionId: z.string().meta({ example: '42' }),
    /** ISO 8601: the time of the last change it includes. */
    at: z.string(),
    /** Who made its changes (none for the room's creation). */
    authors: z.array(historyAuthor),
    label: z.string().optional(),
    /** Total length of all files at this version (UTF-16 code units). */
    chars: z.int().nonnegative(),
  })
  .meta({ id: 'VersionInfo' });
export type VersionInfo = z.infer<typeof versionInfo>;

/** Answer of `GET /api/rooms/:roomId/history`: oldest first. */
export const historyList = z.object({ versions: z.array(versionInfo) }).meta({ id: 'HistoryList' });
export type HistoryList = z.infer<typeof historyList>;

/** Query of `GET /api/rooms/:roomId/history`: the `limit` newest versions before version `before`. */
export const historyListQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Body of `POST /api/rooms/:roomId/history`. */
export const labelRequest = z.strictObject({ label: z.string().trim().min(1).max(200) }).meta({ id: 'LabelRequest' });

/** Answer of `GET /api/rooms/:roomId/history/:versionId`. */
export const versionContent = z
  .object({
    versionId: z.string(),
    at: z.string(),
    files: z.array(z.object({ path: z.string(), content: z.string() })),
  })
  .meta({ id: 'VersionContent' });
export type VersionContent = z.infer<typeof versionContent>;

/** A point in history: an ISO 8601 time or a version id. */
const historyPoint = z.string().min(1).max(64);

/** Query of `GET /api/rooms/:roomId/diff`: `to` may be `current`. */
export const diffQuery = z.object({ from: historyPoint, to: historyPoint.default('current') });

/** Query of `GET /api/rooms/:roomId/playback`: from the start and to now by default. */
export const playbackQuery = z.object({ from: historyPoint.optional(), to: historyPoint.optional() });

/** One line of `GET /api/rooms/:roomId/playback` (NDJSON). */
export const playbackChange = z
  .object({
    at: z.string(),
    author: historyAuthor,
    /** The file's path. */
    file: z.string(),
    /** Where, in UTF-16 code units of the file as it was just before this change. */
    pos: z.int().nonnegative(),
    /** Characters deleted at `pos`. */
    del: z.int().nonnegative(),
    /** Text inserted at `pos` (after the deletion). */
    ins: z.string(),
  })
  .meta({ id: 'PlaybackChange' });

/** Query of `GET /api/rooms/:roomId/blame`. */
export const blameQuery = z.object({ file: z.string().min(1).max(4096) });

/** Answer of `GET /api/rooms/:roomId/blame`. */
export const blameAnswer = z
  .object({
    file: z.string(),
    lines: z.array(z.object({ line: z.int().positive(), author: historyAuthor, at: z.string() })),
  })
  .meta({ id: 'Blame' });

/**
 * Body of `POST /api/rooms/:roomId/history/:versionId/restore`, optional:
 * `by` is the person who pressed Restore in the web client, the author
 * history records when the request carries no token (a token's subject wins).
 */
export const restoreRequest = z
  .strictObject({
    by: z.strictObject({ name: z.string().trim().min(1).max(40), color: z.string().regex(/^#[0-9a-fA-F]{6}$/) }).optional(),
  })
  .meta({ id: 'RestoreRequest' });

/** Answer of `POST /api/rooms/:roomId/history/:versionId/restore` and of a label: the version made. */
export const restoreAnswer = z.object({ versionId: z.string(), restoredFrom: z.string() }).meta({ id: 'RestoreAnswer' });
