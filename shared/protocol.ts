/**
 * The public contract of a Pairpad room: how the Yjs document is laid out,
 * which paths serve it, how room ids look and why a socket gets closed (the
 * close codes are in `close-codes.ts`, exported from here too).
 * Server, web client and tests all read it from here; the README repeats it
 * for people embedding rooms in other tools.
 */

/** WebSocket path of the Hocuspocus protocol (`@hocuspocus/provider`). The document name is the room id. */
export const COLLAB_PATH = '/collab';

/** WebSocket path prefix of the standard y-websocket protocol: `/yjs/:roomId`. */
export const YJS_PATH = '/yjs';

/**
 * Yjs document layout of a room: a project of up to {@link MAX_FILES} files.
 * `shared/room-files.ts` reads and changes it; use it rather than the raw maps.
 *
 * - `doc.getText(CODE_TEXT)` is the text of the **entry file** (the program
 *   a run starts). A client that knows only `code` (every client before
 *   files existed) edits the entry file and keeps working.
 * - `doc.getMap(META_MAP)` holds `language` (one of {@link LANGUAGES}: the
 *   entry file's language, the room's language) and `title` (string); and,
 *   set only by the server for the room's owner (`PATCH /api/rooms/:roomId`,
 *   `docs/owner.md`), `locked` (`true`: the room is locked, every edit but
 *   the owner's is dropped, as for a viewer; absent or `false`: unlocked)
 *   and `maxEditors` (an integer: editors admitted at most, viewers not
 *   counted; absent: no limit). No client may set or delete these two
 *   (4400), the owner's included: the owner changes them over REST.
 * - `doc.getMap(FILES_MAP)` maps a file id ({@link FILE_ID_PATTERN}, random,
 *   made by whoever creates the file) to a `Y.Map` with:
 *   - `path` (string): where the file is, a canonical path (see
 *     `normalizePath` in `shared/file-paths.ts`: `/`-separated segments of
 *     letters, digits, `._-` and space, no `.`/`..`, ≤ {@link MAX_PATH_LENGTH}
 *     characters, NFC, case-sensitive). A rename sets it; the text stays the
 *     same `Y.Text`, so an edit concurrent with a rename is kept, and two
 *     concurrent renames end with one of the two names everywhere.
 *   - `language` (string, optional): one of {@link LANGUAGES}; when absent
 *     the language follows the path's extension.
 *   - `text` (`Y.Text`): the file's text.
 *   The entry file's record has the id {@link ENTRY_FILE_ID} and no `text`
 *   (its text is `code`) and no `language` (its language is `meta.language`).
 *   A room without that record (made before files existed) has one entry
 *   file at `main.<ext>` of its language. The entry file cannot be deleted.
 * - `doc.getMap(FOLDERS_MAP)` maps the path of a folder that may be empty
 *   to `true`; folders that hold files need no entry. At most {@link MAX_FOLDERS}.
 * - Two records with the same path (two people created `a.py` at once) are
 *   both kept: the entry, then the smaller id, holds the path; the other is
 *   read as `a (2).py` (also when a file's path is a folder of another file).
 * - Awareness carries `user: { name, color, colorLight, id? }` and `cursor`, as
 *   y-codemirror.next expects (`id`: the sender's browser, the same in all
 *   its tabs, so a person with two tabs counts once), and `file` (the id of the file the person is
 *   in; its cursor is in that file's text), and `following` ({@link AWARENESS_FOLLOWING}).
 * - `doc.getArray(CHAT_ARRAY)`: the chat (see "Chat" below).
 */
export const CODE_TEXT = 'code';
export const META_MAP = 'meta';
export const META_LANGUAGE = 'language';
export const META_TITLE = 'title';
/** `meta` key: `true` while the owner has the room locked (see the layout above). */
export const META_LOCKED = 'locked';
/** `meta` key: the most editors the room admits, when the owner set a limit (see the layout above). */
export const META_MAX_EDITORS = 'maxEditors';
/** The largest participant limit an owner may set. */
export const MAX_EDITORS_LIMIT = 1000;
export const FILES_MAP = 'files';
export const FOLDERS_MAP = 'folders';
export const FILE_PATH = 'path';
export const FILE_LANGUAGE = 'language';
export const FILE_TEXT = 'text';
export const ENTRY_FILE_ID = 'code';
/**
 * Awareness field: `true` in the state of someone on a view link (read-only).
 * The server reduces a viewer's state to this and `user` (when the viewer
 * gave a name): editors see who watches, never a viewer's cursor.
 */
export const AWARENESS_WATCHING = 'watching';
/**
 * Awareness field: `true` in the state of the room's owner (`docs/owner.md`).
 * The server sets it on the states of the owner's connections and removes it
 * from everyone else's, so it cannot be claimed.
 */
export const AWARENESS_OWNER = 'owner';
/** Awareness field: the id of the file a person has open. */
export const AWARENESS_FILE = 'file';
/**
 * Awareness field: who this person follows (follow mode of the web client):
 * the `user.id` of the person followed, or, for a peer without one, its
 * awareness client id as a decimal string; absent when following no one.
 * At most {@link MAX_FOLLOWING_LENGTH} characters. The followed person's
 * client reads it to show who follows them; viewers may send it too.
 */
export const AWARENESS_FOLLOWING = 'following';
export const MAX_FOLLOWING_LENGTH = 64;

/**
 * Chat: `doc.getArray(CHAT_ARRAY)`, the room's messages in the order Yjs
 * gives them, each a plain JSON object (`ContentAny`, never a nested type)
 * `{ id, at, name, color, text }`:
 * - `id` (string, 1 to {@link CHAT_MAX_ID} characters of `[A-Za-z0-9_-]`): made by the sender, random;
 * - `at` (number): when it was sent, milliseconds since the epoch (the sender's clock);
 * - `name` (string, ≤ {@link CHAT_MAX_NAME} characters): the author's display name;
 * - `color` (string, ≤ {@link CHAT_MAX_COLOR} characters): the author's colour (`#rrggbb`; clients show only colours they know);
 * - `text` (string, 1 to {@link CHAT_MAX_TEXT} characters): plain text, never HTML; clients make links clickable.
 * No other key. `shared/room-chat.ts` reads and appends them.
 *
 * Clients only append (an item inserted with no right neighbour: `push`);
 * they never delete or change a message (a client's delete of a live
 * message is refused with 4400). The server keeps the latest
 * {@link CHAT_KEEP}: when the room stores, it deletes the older ones (a
 * server-origin delete every client receives). Between stores a room holds
 * at most {@link CHAT_MAX_LIVE}; an update past that is refused (4413,
 * `chat full`). Viewers (view links) may append messages and nothing else;
 * in a locked room (`meta.locked`) only the owner may.
 */
export const CHAT_ARRAY = 'chat';
export const CHAT_MAX_TEXT = 2000;
export const CHAT_KEEP = 1000;
export const CHAT_MAX_LIVE = 2 * CHAT_KEEP;
export const CHAT_MAX_ID = 64;
export const CHAT_MAX_NAME = 64;
export const CHAT_MAX_COLOR = 32;
/** File ids: what `newFileId()` in `shared/room-files.ts` makes (16 base64url characters) and the entry's `code`. */
export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** Files a room holds at most (the entry file included). */
export const MAX_FILES = 200;
/** Empty folders a room records at most. */
export const MAX_FOLDERS = 200;
/** Characters a path may have. */
export const MAX_PATH_LENGTH = 255;

/** Languages a room can be in; anything else is treated as `plaintext`. */
export const LANGUAGES = [
  'python', 'javascript', 'typescript', 'java', 'c', 'cpp', 'csharp', 'go', 'rust', 'ruby',
  'php', 'kotlin', 'swift', 'sql', 'html', 'css', 'json', 'markdown', 'shell', 'plaintext',
] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'python';

/** File extension used when the code of a room is downloaded. */
export const LANGUAGE_FILE_EXTENSIONS: Record<Language, string> = {
  python: 'py', javascript: 'js', typescript: 'ts', java: 'java', c: 'c', cpp: 'cpp',
  csharp: 'cs', go: 'go', rust: 'rs', ruby: 'rb', php: 'php', kotlin: 'kt', swift: 'swift',
  sql: 'sql', html: 'html', css: 'css', json: 'json', markdown: 'md', shell: 'sh', plaintext: 'txt',
};

/** Returns `value` when it is a supported language, `plaintext` otherwise. */
export function toLanguage(value: unknown): Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
    ? (value as Language)
    : 'plaintext';
}

/**
 * Room ids are 16 random bytes in base64url (128 bits, 22 characters). The
 * pattern is wider than what we mint (8 to 64 url-safe characters) so that a
 * malformed name is refused before any database query, whatever its origin.
 */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const ROOM_ID_BYTES = 16;

/** True when `value` has the shape of a room id; says nothing about whether the room exists. */
export function isRoomIdFormat(value: unknown): value is string {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}

/**
 * Stateless messages (`provider.sendStateless(text)` on `/collab`) from an
 * editor are relayed to every other client of the room, on every instance;
 * a viewer's, and any longer than this many characters, are dropped.
 */
export const MAX_STATELESS_CHARS = 16 * 1024;

/**
 * Run events: everyone in a room hears about its runs (`POST
 * /api/rooms/:roomId/runs`) live, from whichever instance runs them. Each
 * event is one JSON object, `RunEvent` in `shared/schemas/run-event.schema.ts`
 * (`run.queued`, `run.started`, `run.output`, `run.ended`), sent:
 *
 * - on `/collab` as a Hocuspocus stateless message from the server to every
 *   connection of the room (`onStateless` of `@hocuspocus/provider`; the
 *   payload is the JSON text). A client's own stateless message that looks
 *   like a run event (holds `"run.`) is dropped, never relayed;
 * - on `/yjs/:roomId` only to sockets that opted in with
 *   `?{@link RUN_EVENTS_PARAM}=runs` (y-websocket: `params: { events: 'runs' }`),
 *   as a frame of message type {@link YJS_RUN_EVENT_MESSAGE}:
 *   `[varUint 100][varString JSON]` (lib0 encoding). A stock client handles it
 *   with `provider.messageHandlers[100] = (encoder, decoder) => …readVarString(decoder)`;
 *   one that did not opt in never gets it (it would log an unknown type).
 *
 * Output is batched (every {@link RUN_OUTPUT_FLUSH_MS} ms or
 * {@link RUN_OUTPUT_FLUSH_BYTES} bytes). Someone who joins during a run reads
 * it (and its output so far, from the instance running it) with `GET
 * /api/rooms/:roomId/runs`, then follows the events.
 */
export const RUN_EVENTS_PARAM = 'events';
export const YJS_RUN_EVENT_MESSAGE = 100;
export const RUN_OUTPUT_FLUSH_MS = 50;
export const RUN_OUTPUT_FLUSH_BYTES = 16 * 1024;

/** Limits of the REST API. */
export const MAX_TITLE_LENGTH = 200;
/** Largest JSON body the REST API accepts, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * What the server accepts into a room (the update guard, `server/collab/`;
 * the why in `docs/security.md`).
 *
 * - Invariant: after every update the server accepts, the room holds no
 *   pending structs and no pending delete set (`doc.store.pendingStructs`
 *   and `pendingDs` are null) and only the layout above. An update that
 *   would break it is refused with 4400 before it is applied: the room is
 *   byte for byte as before.
 * - Layout, item by item (`shared/room-layout.ts` holds the rules): only the
 *   roots `code`, `meta`, `files`, `folders` and `chat` (an item, even one the room
 *   has seen, naming another root is refused); plain strings in `code` and
 *   in each file's `text` (no formats, embeds or nested types); under
 *   `meta` one string each for `title` (≤ {@link MAX_TITLE_LENGTH}) and
 *   `language`; under `files` a key matching {@link FILE_ID_PATTERN} holding
 *   a new `Y.Map` (or a deletion), whose record holds `path` (one canonical
 *   path string), `language` (one of {@link LANGUAGES}) and `text` (one new
 *   `Y.Text`, once for the record's life: a second would replace the
 *   file's text); the entry's record (`files.code`) holds only `path`; a
 *   record an update creates comes with its `path` (and `text`) in that
 *   update; under `folders` a canonical path holding `true`; in `chat`
 *   messages of the shape above, appended (no right neighbour), and no
 *   delete of a live message. Anything else
 *   (another key, another nested type such as a `Y.Array`, a record under
 *   a key that is not an id, text in the entry's record, a value of the
 *   wrong type) is refused with 4400.
 * - Counts and size: an update after which the room would hold more than
 *   {@link MAX_FILES} files (the entry counts) or {@link MAX_FOLDERS}
 *   recorded folders is refused with 4413 (`too many files`); one that
 *   would take the room past `MAX_DOCUMENT_BYTES` (2 bytes per UTF-16 code
 *   unit of `code`, of every file's text, path and language, of every
 *   folder's path and of the `meta` strings) with 4413 (`document too
 *   large`). Deletions in the same update are not subtracted from the size.
 * - Ownership: a live connection owns the Yjs client ids it has written
 *   new structs under (in an update under that one id: a batch under
 *   several, a reconnect's sync, may carry others' edits and claims only
 *   the connection's own awareness ids) and its awareness client ids (at most
 *   {@link MAX_AWARENESS_CLIENTS_PER_CONNECTION}). No connection may write
 *   structs (items or GC) under a client id another live connection owns
 *   (4400); so no update can claim a range of a live client's clock. A
 *   connection's claims end with it: a client that reconnects takes its id
 *   back. With Redis this holds across instances: a client id whose
 *   awareness state another instance relayed is owned by that instance's
 *   connection while that instance is alive (heartbeat key and Redis
 *   connection; see `docs/security.md`). A client id no live connection owns
 *   and no client key binds can be taken by the first connection that
 *   writes under it. A delete set may only delete what the room or the
 *   update holds.
 * - Client keys: a connection may present a secret {@link CLIENT_KEY_PARAM}
 *   (see {@link isClientKeyFormat}) in the query of its socket URL
 *   (`/collab?clientKey=…`, `/yjs/:roomId?clientKey=…`). When the guard
 *   accepts a keyed connection's awareness state for a client id, or the
 *   connection first writes new structs under an id of its own (an update
 *   under that one id, or one of its awareness ids), and no other live
 *   connection owns that id, the room binds it to the key's hash, durably
 *   and for every instance (the first binding wins). From then on only a
 *   connection with the same key may write structs under that id, live or
 *   not (4400 otherwise, room untouched): an offline client's id cannot be
 *   taken while it is away.
 *   A keyed connection whose key binds a client id takes over that id from
 *   any other connection that owns it (here or on another instance): a
 *   client that reconnects or moves instances while its old socket lingers
 *   is not refused. Unbound ids keep the rules above. A connection without
 *   a key cannot write under a bound id. Embedders should send a key: one
 *   per `Y.Doc`, kept for that document's life (the web client does).
 *   While the database cannot answer whether an id is bound, the socket is
 *   closed with {@link CloseCode.tryAgainLater} and the update not applied.
 * - Held updates: an update that needs structs the room does not hold yet,
 *   and not of a client id another live connection owns (unless the
 *   connection holds the key that id is bound to), is held outside the room
 *   (per connection at most {@link MAX_HELD_UPDATE_BYTES} and
 *   {@link MAX_HELD_UPDATE_MS}) and applied, and acknowledged, once the same
 *   connection has sent what it needs; past either bound the socket is
 *   closed with 4400.
 * - Awareness: a frame may set or clear only states of client ids the
 *   connection owns or takes (or whose bound key it holds), up to {@link MAX_AWARENESS_CLIENTS_PER_CONNECTION}
 *   counted within the frame; a room holds at most
 *   {@link MAX_AWARENESS_STATES_PER_ROOM} states; a state the room holds
 *   from another instance (Redis) can be changed only by that instance;
 *   states over 8 KiB are dropped. Dropped states are simply not applied.
 */
export const MAX_HELD_UPDATE_BYTES = 1024 * 1024;
/** Query parameter of a socket URL carrying the client key (see the ownership rules above). */
export const CLIENT_KEY_PARAM = 'clientKey';
/** A client key: 22 to 128 base64url characters (22 carry 132 bits; make them random). */
export const CLIENT_KEY_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

/** True when `value` has the shape of a client key; a socket with a malformed one is refused (HTTP 400). */
export function isClientKeyFormat(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_KEY_PATTERN.test(value);
}

export const MAX_HELD_UPDATE_MS = 10_000;
export const MAX_AWARENESS_CLIENTS_PER_CONNECTION = 4;
export const MAX_AWARENESS_STATES_PER_ROOM = 256;

/**
 * Acknowledged means durable. On `/collab` the server answers each update a
 * client sends with Hocuspocus's `SyncStatus` message, in the order the
 * updates came, and only once the update is committed to the update log (the
 * journal's group commit, at most 20 ms after it arrived) or to a
 * committed snapshot. So `provider.hasUnsyncedChanges === false` means every
 * edit of that client survives a crash of the server. The other clients get
 * the update at once, before it is stored. While the database refuses writes,
 * answers are held, and sent when a retry stores the updates. `/yjs` has no
 * acknowledgement in its protocol. See `docs/durability.md`.
 */

/** Why a socket gets closed: the close codes and their reasons, in `shared/close-codes.ts`. */
export { CloseCode, CloseReason } from './close-codes.ts';
