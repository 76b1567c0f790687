import { describe, expect, it } from 'vitest';
import { completeAt, labelsOf } from './complete-at.ts';

describe('strings and comments', () => {
  it('never mines words inside strings for names', () => {
    const answer = completeAt('message = "zebra zeppelin zucchini"\nzone = 1\nprint(z|', 'python');
    expect(labelsOf(answer)).toContain('zone');
    expect(labelsOf(answer)).not.toContain('zebra');
    expect(labelsOf(answer)).not.toContain('zeppelin');
  });

  it('never mines words inside comments for names', () => {
    const answer = completeAt('// quixotic quokka\nconst quota = 3;\nconsole.log(qu|', 'javascript');
    expect(labelsOf(answer)[0]).toBe('quota');
    expect(labelsOf(answer)).not.toContain('quixotic');
    expect(labelsOf(answer)).not.toContain('quokka');
  });

  it('never mines docstrings or template literals', () => {
    expect(labelsOf(completeAt('def f():\n    """walrus whistle"""\n    wanted = 1\n    return w|', 'python'))).not.toContain('walrus');
    expect(labelsOf(completeAt('const t = `grapefruit ${x}`;\nconst g = 1;\ng|', 'javascript'))).not.toContain('grapefruit');
  });

  it('offers nothing while typing inside a string', () => {
    const answer = completeAt('name = 1\nprint("na|', 'python');
    expect(answer).toEqual({ suggestion: '', confidence: 0, type: 'identifier', from: 18, to: 18, items: [] });
  });

  it('offers nothing inside a comment or a string unless asked (issue 13: completions glued junk onto prose)', () => {
    for (const [text, language] of [
      ['retries = 3\n# loop over the array once|', 'python'],
      ['const seen = new Map();\n// keep a map of seen values|', 'javascript'],
      ['answer = 1\nprint(answer)  # expect 0 and 1|', 'python'],
      ['retries = 3\nlabel = "re|"', 'python'],
      ['/* a block comment about retries\n   and re| */\nlet retries = 1;', 'typescript'],
    ]) {
      expect(completeAt(text, language).items, text).toEqual([]);
      expect(completeAt(text, language).suggestion, text).toBe('');
    }
  });

  it('offers code identifiers, not keywords, inside a comment or a string when asked (explicit)', () => {
    for (const text of ['retries = 3\nresult = None\n# re|', 'retries = 3\nresult = None\nlabel = "re|"']) {
      const answer = completeAt(text, 'python', 10, true);
      expect(labelsOf(answer)).toEqual(expect.arrayContaining(['retries', 'result']));
      expect(answer.items.every((item) => item.kind === 'identifier')).toBe(true);
    }
  });

  it('treats unknown-language strings and comments the same way (tokenizer fallback)', () => {
    const answer = completeAt('# zebra\nputs "zeppelin"\nzone = 1\nz|', 'ruby');
    expect(labelsOf(answer)).toEqual(['zone']);
    expect(completeAt('zone = 1\n# z|', 'ruby').items).toEqual([]);
  });
});

describe('code inside strings', () => {
  it('mines names used in f-string replacement fields and template interpolations, not the text around them', () => {
    const python = completeAt('print(f"hello {visitor_name} and velvet")\nv|', 'python');
    expect(labelsOf(python)).toContain('visitor_name');
    expect(labelsOf(python)).not.toContain('velvet');
    const javascript = completeAt('const line = `hello ${visitorName} and velvet`;\nv|', 'javascript');
    expect(labelsOf(javascript)).toContain('visitorName');
    expect(labelsOf(javascript)).not.toContain('velvet');
  });
});
