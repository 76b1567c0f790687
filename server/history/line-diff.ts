/**
 * Line diffs (Myers' O(ND) algorithm, after trimming the common head and
 * tail): unified diffs for the diff endpoint, and the smallest line edits a
 * restore applies, so the lines it does not change keep their Yjs items
 * (and with them their authors).
 */

/** A run of lines: `a[aStart, aEnd)` replaced by `b[bStart, bEnd)`. */
export interface LineHunk {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/** Splits a text into lines, each with its line break (the last may have none). */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/(?<=\n)/);
  return lines;
}

/** The changed runs between two line lists, in order (Myers). */
export function diffLines(a: readonly string[], b: readonly string[]): LineHunk[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  if (n === 0 && m === 0) return [];
  if (n === 0 || m === 0) return [{ aStart: head, aEnd: head + n, bStart: head, bEnd: head + m }];
  // Lines as small integers: comparisons in the loop are then cheap.
  const ids = new Map<string, number>();
  const idOf = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const x = Int32Array.from({ length: n }, (_, i) => idOf(a[head + i]));
  const y = Int32Array.from({ length: m }, (_, i) => idOf(b[head + i]));
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let done = false;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let i = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let j = i - k;
      while (i < n && j < m && x[i] === y[j]) {
        i++;
        j++;
      }
      v[offset + k] = i;
      if (i >= n && j >= m) {
        done = true;
        break;
      }
    }
  }
  // Walk back through the trace: each step is a deletion or an insertion, then a snake of equal lines.
  const edits: { kind: 'del' | 'ins'; i: number; j: number }[] = [];
  let i = n;
  let j = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const prev = trace[d];
    const k = i - j;
    const down = k === -d || (k !== d && prev[offset + k - 1] < prev[offset + k + 1]);
    const prevK = down ? k + 1 : k - 1;
    const prevI = prev[offset + prevK];
    const prevJ = prevI - prevK;
    while (i > (down ? prevI : prevI + 1) && j > (down ? prevJ + 1 : prevJ)) {
      i--;
      j--;
    }
    if (down) edits.push({ kind: 'ins', i: prevI, j: prevJ });
    else edits.push({ kind: 'del', i: prevI, j: prevJ });
    i = prevI;
    j = prevJ;
  }
  edits.reverse();
  const hunks: LineHunk[] = [];
  for (const edit of edits) {
    const aStart = head + edit.i;
    const bStart = head + edit.j;
    const last = hunks.at(-1);
    const aEnd = edit.kind === 'del' ? aStart + 1 : aStart;
    const bEnd = edit.kind === 'ins' ? bStart + 1 : bStart;
    if (last && last.aEnd === aStart && last.bEnd === bStart) {
      last.aEnd = aEnd;
      last.bEnd = bEnd;
    } else hunks.push({ aStart, aEnd, bStart, bEnd });
  }
  return hunks;
}

/**
 * Character edits that turn `from` into `to`, line by line, last first (so
 * each position holds when applied in order).
 */
export function textEdits(from: string, to: string): { pos: number; del: number; ins: string }[] {
  const a = splitLines(from);
  const b = splitLines(to);
  const starts: number[] = [0];
  for (const line of a) starts.push(starts.at(-1)! + line.length);
  return diffLines(a, b)
    .map((hunk) => ({
      pos: starts[hunk.aStart],
      del: starts[hunk.aEnd] - starts[hunk.aStart],
      ins: b.slice(hunk.bStart, hunk.bEnd).join(''),
    }))
    .reverse();
}

const CONTEXT = 3;

/** A unified diff of one file (`git diff` style, 3 lines of context); empty when equal. `null` paths mean the file did not exist. */
export function unifiedDiff(path: { from: string | null; to: string | null }, from: string, to: string): string {
  const a = splitLines(from);
  const b = splitLines(to);
  const hunks = diffLines(a, b);
  if (hunks.length === 0 && path.from !== null && path.to !== null) return '';
  let out = `--- ${path.from === null ? '/dev/null' : `a/${path.from}`}\n+++ ${path.to === null ? '/dev/null' : `b/${path.to}`}\n`;
  const line = (prefix: string, text: string) => {
    out += prefix + (text.endsWith('\n') ? text : `${text}\n\\ No newline at end of file\n`);
  };
  for (let index = 0; index < hunks.length; ) {
    // Hunks closer than twice the context share one block.
    let last = index;
    while (last + 1 < hunks.length && hunks[last + 1].aStart - hunks[last].aEnd <= 2 * CONTEXT) last++;
    const aStart = Math.max(0, hunks[index].aStart - CONTEXT);
    const aEnd = Math.min(a.length, hunks[last].aEnd + CONTEXT);
    const bStart = Math.max(0, hunks[index].bStart - CONTEXT);
    const bEnd = Math.min(b.length, hunks[last].bEnd + CONTEXT);
    const range = (start: number, end: number) => `${end - start === 0 ? start : start + 1},${end - start}`;
    out += `@@ -${range(aStart, aEnd)} +${range(bStart, bEnd)} @@\n`;
    let ai = aStart;
    for (let h = index; h <= last; h++) {
      const hunk = hunks[h];
      for (; ai < hunk.aStart; ai++) line(' ', a[ai]);
      for (let k = hunk.aStart; k < hunk.aEnd; k++) line('-', a[k]);
      for (let k = hunk.bStart; k < hunk.bEnd; k++) line('+', b[k]);
      ai = hunk.aEnd;
    }
    for (; ai < aEnd; ai++) line(' ', a[ai]);
    index = last + 1;
  }
  return out;
}
