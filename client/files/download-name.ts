import { LANGUAGE_FILE_EXTENSIONS, type Language } from '../../shared/protocol.ts';

/** Characters a downloaded file's name keeps of the title at most. */
const MAX_NAME_CHARS = 80;

/**
 * The name a download is saved under: the room's title made safe for a
 * file system (`My kata` → `My kata.py`), else `pairpad-<language>.<ext>`.
 * Never the room id, which is the edit key (issue 14). `extension` is the
 * file's own (`zip` for the archive of a room of several files).
 */
export function downloadName(title: string, language: Language, extension: string = LANGUAGE_FILE_EXTENSIONS[language]): string {
  const ext = extension.replace(/[^A-Za-z0-9+_-]/g, '') || LANGUAGE_FILE_EXTENSIONS[language];
  const base = safeFileBase(title);
  if (base === '') return `pairpad-${language}.${ext}`;
  return base.toLowerCase().endsWith(`.${ext.toLowerCase()}`) ? base : `${base}.${ext}`;
}

/** The extension of a path's last segment (`src/a.tar.gz` → `gz`), or undefined. */
export function extensionOf(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1) : undefined;
}

/**
 * The title without what file systems refuse or hide: control characters,
 * `/ \ : * ? " < > |`, leading dots and spaces, trailing dots and spaces
 * (Windows), shortened to {@link MAX_NAME_CHARS} without splitting a
 * surrogate pair.
 */
function safeFileBase(title: string): string {
  // eslint-disable-next-line no-control-regex
  let base = title.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]+/g, ' ').replace(/\s+/g, ' ');
  base = base.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (base.length > MAX_NAME_CHARS) {
    let end = MAX_NAME_CHARS;
    const code = base.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    base = base.slice(0, end).replace(/[\s.]+$/, '');
  }
  return base;
}
