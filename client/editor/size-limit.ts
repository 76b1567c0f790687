import { EditorState, type Extension, type Transaction } from '@codemirror/state';
import { limits as limitsSchema, type Limits } from '../../shared/schemas/limits.schema.ts';

/** The server's defaults (`MAX_DOCUMENT_BYTES`, `MAX_MESSAGE_BYTES`), used until its own answer arrives. */
export const DEFAULT_LIMITS: Limits = { maxDocumentBytes: 5 * 1024 * 1024, maxMessageBytes: 1024 * 1024 };

/** The server's limits from `GET /api/limits`; {@link DEFAULT_LIMITS} if it cannot be asked. */
export async function fetchLimits(): Promise<Limits> {
  try {
    const response = await fetch('/api/limits');
    if (!response.ok) return DEFAULT_LIMITS;
    const parsed = limitsSchema.safeParse(await response.json());
    return parsed.success ? parsed.data : DEFAULT_LIMITS;
  } catch {
    return DEFAULT_LIMITS;
  }
}

/** What a Hocuspocus frame adds around the text of one edit (room name, message types, Yjs struct headers, delete set). */
const FRAME_OVERHEAD_BYTES = 1024;

/** Options of {@link sizeLimit}. */
export interface SizeLimitOptions {
  /** The server's limits (`GET /api/limits`); read at each large change, so they may arrive late. */
  limits(): Limits;
  /** Characters the room holds outside the code (title and language), counted by the server's measure. */
  extraChars(): number;
  /** Told why a change was refused, to show the person who made it. */
  onRefused(message: string): void;
}

/**
 * Refuses, in the editor, a change the server would refuse for its size:
 * one that would make the room larger than `maxDocumentBytes` (2 bytes per
 * UTF-16 code unit, as the server measures), or one whose text does not fit
 * in one `maxMessageBytes` message (the server would close the socket, the
 * provider would resend the same change on every reconnect, and the tab
 * would stay "Reconnecting…" for good). Deletions always pass. A keystroke
 * costs two comparisons; only a large paste is measured in UTF-8.
 */
export function sizeLimit(options: SizeLimitOptions): Extension {
  return EditorState.transactionFilter.of((tr) => {
    if (!tr.docChanged) return tr;
    const refusal = refusalOf(tr, options);
    if (refusal === undefined) return tr;
    options.onRefused(refusal);
    return [];
  });
}

function refusalOf(tr: Transaction, options: SizeLimitOptions): string | undefined {
  const { maxDocumentBytes, maxMessageBytes } = options.limits();
  const grows = tr.newDoc.length > tr.startState.doc.length;
  if (grows && 2 * (tr.newDoc.length + options.extraChars()) > maxDocumentBytes) {
    return `That change would make the room larger than the server allows (${formatBytes(maxDocumentBytes)}); it was not applied.`;
  }
  const inserted = insertedLength(tr);
  // At most 3 UTF-8 bytes per UTF-16 code unit: typing never gets near the limit.
  if (3 * inserted + FRAME_OVERHEAD_BYTES <= maxMessageBytes) return undefined;
  let bytes = 0;
  tr.changes.iterChanges((_fromA, _toA, _fromB, _toB, text) => {
    for (const line of text.iterLines()) bytes += utf8Length(line) + 1;
  });
  if (bytes + FRAME_OVERHEAD_BYTES <= maxMessageBytes) return undefined;
  return `That paste is too large to send in one piece (the server takes ${formatBytes(maxMessageBytes)} at a time); it was not applied. Paste it in smaller parts.`;
}

function insertedLength(tr: Transaction): number {
  let length = 0;
  tr.changes.iterChanges((_fromA, _toA, fromB, toB) => {
    length += toB - fromB;
  });
  return length;
}

/** UTF-8 length of a string without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
