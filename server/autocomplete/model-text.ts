/** Most lines a model completion may span when it starts a new block. */
const MAX_BLOCK_LINES = 12;

function measureIndent(line: string): number {
  return /^[ \t]*/.exec(line)?.[0].length ?? 0;
}

/**
 * Cuts a model's raw completion to a sensible stop: the end of the line
 * when the cursor's line already has code before it, otherwise the end of
 * the block it opens (a blank line, or a line indented less than its
 * first). Text that merely repeats what follows the cursor on its line is
 * dropped, so `foo(|)` does not become `foo(x))`.
 */
export function trimModelText(raw: string, before: string, after: string): string {
  const lineBefore = before.slice(before.lastIndexOf('\n') + 1);
  const restOfLine = after.slice(0, after.indexOf('\n') < 0 ? after.length : after.indexOf('\n'));
  let text = raw.replace(/\r\n/g, '\n');
  if (lineBefore.trim().length > 0) {
    const end = text.indexOf('\n');
    text = end < 0 ? text : text.slice(0, end);
  } else {
    const lines = text.split('\n');
    const base = measureIndent(lineBefore + lines[0]);
    const kept = [lines[0]];
    for (const line of lines.slice(1, MAX_BLOCK_LINES)) {
      if (line.trim().length === 0 || measureIndent(line) < base) break;
      kept.push(line);
    }
    text = kept.join('\n');
  }
  text = text.trimEnd();
  const tail = restOfLine.trim();
  if (tail.length > 0 && text.endsWith(tail)) text = text.slice(0, text.length - tail.length).trimEnd();
  return text;
}
