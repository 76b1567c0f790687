/**
 * The rule for the plain-text columns (`rooms.code`, `title`, `language`),
 * which exist so SQL users can read a room without Yjs.
 *
 * A Yjs document may hold any UTF-16 string, but a text column may not:
 * Postgres refuses U+0000 in `text` ("invalid byte sequence for encoding
 * UTF8: 0x00"), and neither database can store a lone surrogate (the
 * drivers' UTF-8 conversion turns it into U+FFFD silently). So the column
 * holds the text with each NUL and each lone surrogate replaced by U+FFFD,
 * the Unicode replacement character. Each replaced unit is one UTF-16 unit
 * and so is U+FFFD: every offset in the column matches the document.
 *
 * The Yjs state beside it (`rooms.state`, `room_updates.update`) is binary and
 * stays exact; whoever needs the exact text reads it from there (see
 * {@link mayDifferFromDocument}). See docs/operations.md.
 */

// With the `u` flag a surrogate pair is one code point, so the class matches
// only surrogates that stand alone.
const NOT_STORABLE = /[\0\uD800-\uDFFF]/gu;

// ES2024's String.prototype.isWellFormed (Node 20 has it; the TypeScript lib here is ES2023).
type WellFormedCheck = { isWellFormed(): boolean };

/** `text` as the text columns hold it: NUL and lone surrogates become U+FFFD. */
export function toStoredText(text: string): string {
  // Nearly every text needs no change: two native scans say so, far faster
  // than the regular expression (which would also copy the text).
  if ((text as unknown as WellFormedCheck).isWellFormed() && !text.includes('\0')) return text;
  return text.replace(NOT_STORABLE, '\uFFFD');
}

/**
 * False when a column's text is surely the document's text; true when it may
 * have been replaced by {@link toStoredText} (it holds a U+FFFD), and the
 * exact text must come from the Yjs state.
 */
export function mayDifferFromDocument(storedText: string): boolean {
  return storedText.includes('\uFFFD');
}
