import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Issue 14, item 12: the README is a one-page entry and the depth lives in
// docs/, linked from it. A link that no longer resolves (a file renamed, a
// heading reworded, a path written relative to the wrong folder) leaves a
// newcomer at a dead end; this checks every relative link and its anchor.
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const DOCUMENTS = ['README.md', ...readdirSync(path.join(repoRoot, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
/** The README stays a page (it was 36 KB of lab notebook before issue 14). */
const README_MAX_BYTES = 20_000;

/** Markdown without fenced code blocks, where `](…)` and `#` mean nothing. */
function readProse(file: string): string {
  return readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a document offers: its headings (duplicates numbered as GitHub does) and explicit ids. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of readProse(file).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = slugOf(match[1]!);
    const times = seen.get(slug) ?? 0;
    seen.set(slug, times + 1);
    anchors.add(times === 0 ? slug : `${slug}-${times}`);
  }
  for (const match of readProse(file).matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]!);
  return anchors;
}

/** The relative links of a document (`[text](target)`), external ones left out. */
function relativeLinksOf(file: string): string[] {
  return [...readProse(file).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('the README and docs/', () => {
  it.each(DOCUMENTS)('%s links only to files and headings that exist', (document) => {
    const file = path.join(repoRoot, document);
    const broken: string[] = [];
    for (const target of relativeLinksOf(file)) {
      const [relative, fragment] = target.split('#') as [string, string | undefined];
      const linked = relative === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(relative));
      if (!existsSync(linked)) broken.push(`${target} (no such file)`);
      else if (fragment && !statSync(linked).isDirectory() && !anchorsOf(linked).has(decodeURIComponent(fragment))) broken.push(`${target} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });

  it('the README links into docs/ and stays a page', () => {
    const readme = path.join(repoRoot, 'README.md');
    expect(relativeLinksOf(readme).filter((target) => target.startsWith('docs/')).length).toBeGreaterThan(5);
    expect(statSync(readme).size).toBeLessThanOrEqual(README_MAX_BYTES);
  });
});
