import * as Y from 'yjs';
import { seedFiles, type NewRoomFiles } from './room-files.ts';
import { CODE_TEXT, META_LANGUAGE, META_LOCKED, META_MAP, META_MAX_EDITORS, META_TITLE, toLanguage, type Language } from './protocol.ts';
import { isServerMetaValue } from './room-layout.ts';

/** The parts of a room document that are not Yjs internals. */
export interface RoomContent {
  code: string;
  language: Language;
  title: string;
}

/** Reads the code, language and title out of a room document (see the layout in `protocol.ts`). */
export function readRoomContent(doc: Y.Doc): RoomContent {
  const meta = doc.getMap(META_MAP);
  const title = meta.get(META_TITLE);
  return {
    code: doc.getText(CODE_TEXT).toString(),
    language: toLanguage(meta.get(META_LANGUAGE)),
    title: typeof title === 'string' ? title : '',
  };
}

/** The owner's settings a room document carries (`meta.locked`, `meta.maxEditors`; see `protocol.ts`). */
export interface RoomSettings {
  locked: boolean;
  /** Absent: no limit. */
  maxEditors?: number;
}

/** Reads {@link RoomSettings} out of a room document; a value of the wrong shape counts as absent. */
export function readRoomSettings(doc: Y.Doc): RoomSettings {
  const meta = doc.getMap(META_MAP);
  const maxEditors = meta.get(META_MAX_EDITORS);
  return {
    locked: meta.get(META_LOCKED) === true,
    ...(isServerMetaValue(META_MAX_EDITORS, maxEditors) ? { maxEditors: maxEditors as number } : {}),
  };
}

/**
 * Builds the initial Yjs state of a new room: with `files`, those files
 * (the entry's text is then `content.code`'s place, and `content.code` is
 * ignored); without, one entry file holding `content.code`.
 */
export function encodeNewRoomState(content: RoomContent, files?: NewRoomFiles): Uint8Array {
  const doc = buildNewRoomDoc(content, files);
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

/** The document {@link encodeNewRoomState} encodes (the caller destroys it). */
export function buildNewRoomDoc(content: RoomContent, files?: NewRoomFiles): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    if (files) seedFiles(doc, files);
    else if (content.code) doc.getText(CODE_TEXT).insert(0, content.code);
    const meta = doc.getMap(META_MAP);
    meta.set(META_LANGUAGE, content.language);
    meta.set(META_TITLE, content.title);
  });
  return doc;
}
