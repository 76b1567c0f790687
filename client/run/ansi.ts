/**
 * A small ANSI SGR reader for run output: colours (the 8 + 8 bright
 * foreground and background colours, 256-colour and RGB as inline colours),
 * bold, dim, italic, underline, inverse and their resets. Every other escape
 * sequence (cursor moves, titles, …) is dropped, never shown. The result is
 * plain text segments with a style: the output panel puts them in as text
 * nodes, so program output can never become markup.
 *
 * Our own rather than a library: the well-kept ones (`anser`, `ansi_up`)
 * return HTML strings, which we would then have to trust; this returns data.
 */

/** How a segment looks; absent fields are the default. */
export interface AnsiStyle {
  /** 0–15 for the palette (8–15 bright), or `#rrggbb`. */
  fg?: number | string;
  bg?: number | string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface AnsiSegment {
  text: string;
  style: AnsiStyle;
}

/** Reads a stream of output chunk by chunk: an escape cut between two chunks is kept for the next. */
export class AnsiReader {
  private style: AnsiStyle = {};
  private pending = '';

  /** The segments of `chunk` (with what an earlier chunk left unfinished). */
  read(chunk: string): AnsiSegment[] {
    const text = this.pending + chunk;
    this.pending = '';
    const segments: AnsiSegment[] = [];
    let plainStart = 0;
    const emit = (end: number) => {
      if (end > plainStart) segments.push({ text: text.slice(plainStart, end), style: this.style });
    };
    let i = 0;
    while (i < text.length) {
      if (text.charCodeAt(i) !== 0x1b) {
        i++;
        continue;
      }
      emit(i);
      const end = escapeEnd(text, i);
      if (end === undefined) {
        // Unfinished: wait for the rest, unless it is absurdly long (then drop it).
        if (text.length - i <= 64) this.pending = text.slice(i);
        plainStart = i = text.length;
        break;
      }
      const sequence = text.slice(i, end);
      if (sequence.startsWith('\x1b[') && sequence.endsWith('m')) this.style = applySgr(this.style, sequence.slice(2, -1));
      plainStart = i = end;
    }
    emit(text.length);
    return segments;
  }
}

/** Where the escape sequence at `start` ends (exclusive), or `undefined` when the text stops before it does. */
function escapeEnd(text: string, start: number): number | undefined {
  const kind = text[start + 1];
  if (kind === undefined) return undefined;
  if (kind === '[') {
    // CSI: parameters and intermediates, then one final byte in @–~.
    for (let i = start + 2; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x40 && code <= 0x7e) return i + 1;
      if (code < 0x20 || code > 0x3f) return i; // not a CSI after all: drop what we read
    }
    return undefined;
  }
  if (kind === ']') {
    // OSC: up to BEL or ESC \.
    for (let i = start + 2; i < text.length; i++) {
      if (text[i] === '\x07') return i + 1;
      if (text[i] === '\x1b' && text[i + 1] === '\\') return i + 2;
      if (text[i] === '\x1b' && i + 1 >= text.length) return undefined;
    }
    return undefined;
  }
  return start + 2; // a two-character escape
}

function applySgr(current: AnsiStyle, parameters: string): AnsiStyle {
  const codes = parameters === '' ? [0] : parameters.split(/[;:]/).map((part) => (part === '' ? 0 : Number(part)));
  let style: AnsiStyle = { ...current };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    if (!Number.isInteger(code)) continue;
    if (code === 0) style = {};
    else if (code === 1) style.bold = true;
    else if (code === 2) style.dim = true;
    else if (code === 3) style.italic = true;
    else if (code === 4) style.underline = true;
    else if (code === 7) style.inverse = true;
    else if (code === 22) style.bold = style.dim = undefined;
    else if (code === 23) style.italic = undefined;
    else if (code === 24) style.underline = undefined;
    else if (code === 27) style.inverse = undefined;
    else if (code >= 30 && code <= 37) style.fg = code - 30;
    else if (code >= 90 && code <= 97) style.fg = code - 90 + 8;
    else if (code === 39) style.fg = undefined;
    else if (code >= 40 && code <= 47) style.bg = code - 40;
    else if (code >= 100 && code <= 107) style.bg = code - 100 + 8;
    else if (code === 49) style.bg = undefined;
    else if (code === 38 || code === 48) {
      const [color, used] = extendedColor(codes, i + 1);
      if (color !== undefined) style[code === 38 ? 'fg' : 'bg'] = color;
      i += used;
    }
  }
  return style;
}

/** A `5;n` (256 colours) or `2;r;g;b` colour after 38/48, and how many codes it used. */
function extendedColor(codes: number[], at: number): [number | string | undefined, number] {
  if (codes[at] === 5) {
    const n = codes[at + 1];
    if (!(n >= 0 && n <= 255)) return [undefined, 2];
    return [n < 16 ? n : xterm256(n), 2];
  }
  if (codes[at] === 2) {
    const [r, g, b] = codes.slice(at + 1, at + 4);
    if (![r, g, b].every((value) => value >= 0 && value <= 255)) return [undefined, 4];
    return [`#${[r, g, b].map((value) => value.toString(16).padStart(2, '0')).join('')}`, 4];
  }
  return [undefined, 1];
}

function xterm256(n: number): string {
  const hex = (value: number) => value.toString(16).padStart(2, '0');
  if (n >= 232) {
    const level = 8 + (n - 232) * 10;
    return `#${hex(level)}${hex(level)}${hex(level)}`;
  }
  const index = n - 16;
  const steps = [0, 95, 135, 175, 215, 255];
  return `#${hex(steps[Math.floor(index / 36)])}${hex(steps[Math.floor(index / 6) % 6])}${hex(steps[index % 6])}`;
}
