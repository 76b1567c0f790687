import { diffLines, structuredPatch } from 'diff';

/**
 * Line diffs, on jsdiff (`diff`): unified diffs for the diff endpoint, and
 * the smallest line edits a restore applies, so the lines it does not
 * change keep their Yjs items (and with them their authors).
 */

/**
 * Character edits that turn `from` into `to`, line by line, last first (so
 * each position holds when applied in order).
 */
export function textEdits(from: string, to: string): { pos: number; del: number; ins: string }[] {
  const edits: { pos: number; del: number; ins: string }[] = [];
  let pos = 0;
  let open: { pos: number; del: number; ins: string } | undefined;
  for (const change of diffLines(from, to)) {
    if (!change.added && !change.removed) {
      if (open) edits.push(open);
      open = undefined;
      pos += change.value.length;
      continue;
    }
    open ??= { pos, del: 0, ins: '' };
    if (change.removed) {
      open.del += change.value.length;
      pos += change.value.length;
    } else {
      open.ins += change.value;
    }
  }
  if (open) edits.push(open);
  return edits.reverse();
}

const CONTEXT = 3;

/** A unified diff of one file (`git diff` style, 3 lines of context); empty when equal. `null` paths mean the file did not exist. */
export function unifiedDiff(path: { from: string | null; to: string | null }, from: string, to: string): string {
  const { hunks } = structuredPatch('', '', from, to, '', '', { context: CONTEXT });
  if (hunks.length === 0 && path.from !== null && path.to !== null) return '';
  // An empty side starts at line 0, as git writes it.
  const range = (start: number, lines: number) => `${lines === 0 ? start - 1 : start},${lines}`;
  let out = `--- ${path.from === null ? '/dev/null' : `a/${path.from}`}\n+++ ${path.to === null ? '/dev/null' : `b/${path.to}`}\n`;
  for (const hunk of hunks) {
    out += `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@\n`;
    for (const line of hunk.lines) out += `${line}\n`;
  }
  return out;
}
