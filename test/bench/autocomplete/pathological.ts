/** One request body that used to block the server's only thread (issue 13), and what it is. */
export interface PathologicalRequest {
  name: string;
  body: { code: string; cursorPosition: number; language: string };
}

function atEnd(code: string, language: string): PathologicalRequest['body'] {
  return { code, cursorPosition: code.length, language };
}

/**
 * Requests of pathological code, each under the 1 MiB body limit: before the
 * worker pool, each held the event loop for 0.5-11 s, and `f(` nested 300,000
 * deep overflowed the stack of the recursive tree walk (500).
 */
export const PATHOLOGICAL_REQUESTS: readonly PathologicalRequest[] = [
  // 349,000 × 3 bytes of UTF-8: just under the body limit.
  { name: "TypeScript: 349,000 '‹'", body: atEnd('‹'.repeat(349_000), 'typescript') },
  { name: "Python: 100,000 '('", body: atEnd('('.repeat(100_000), 'python') },
  { name: "Python: 1,000,000 '('", body: atEnd('('.repeat(1_000_000), 'python') },
  { name: "Python: 'f(' nested 300,000 deep", body: atEnd('f('.repeat(300_000), 'python') },
  { name: "Python: 'x=[' 300,000 times", body: atEnd('x=['.repeat(300_000), 'python') },
  { name: "TypeScript: 'a<' 400,000 times", body: atEnd('a<'.repeat(400_000), 'typescript') },
];
