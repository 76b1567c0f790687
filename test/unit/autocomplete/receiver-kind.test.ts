import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeLocally } from '../../../server/autocomplete/index.ts';
import { completeAt, labelsOf } from './complete-at.ts';

describe('members of a receiver whose kind the code shows', () => {
  it('offers an array\'s members first after a name assigned an array literal (issue 13: `fib` above `filter`)', () => {
    const labels = labelsOf(completeAt('const users = [{ name: "a" }];\nfunction fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nfib(3);\nusers.fi|', 'javascript'));
    expect(labels.slice(0, 2).sort()).toEqual(['filter', 'find']);
    expect(labels.indexOf('fib') === -1 || labels.indexOf('fib') > labels.indexOf('find')).toBe(true);
  });

  it('knows array, string and TypeScript-typed literals in JavaScript and TypeScript', () => {
    expect(labelsOf(completeAt('[1, 2, 3].fi|', 'javascript'))[0]).toMatch(/^fi(nd|lter)$/);
    expect(labelsOf(completeAt("const title = 'x';\nconst total = 1;\ntitle.to|", 'javascript')).slice(0, 2).sort()).toEqual(['toLowerCase', 'toUpperCase']);
    expect(labelsOf(completeAt('const names: string[] = [];\nnames.pu|', 'typescript'))[0]).toBe('push');
    expect(labelsOf(completeAt("'a,b'.sp|", 'typescript'))[0]).toBe('split');
  });

  it('knows Python lists, dicts and strings, literal or constructed', () => {
    expect(labelsOf(completeAt('values = [3, 1]\nvalues.|', 'python'))[0]).toBe('append');
    expect(labelsOf(completeAt('seen = list()\nseen.ap|', 'python'))[0]).toBe('append');
    expect(labelsOf(completeAt('counts = {}\ncounts.|', 'python')).slice(0, 3)).toEqual(expect.arrayContaining(['get', 'items']));
    expect(labelsOf(completeAt('line = "a b"\nlength = 1\nline.s|', 'python')).slice(0, 2).sort()).toEqual(['split', 'strip']);
  });

  it('leaves a receiver of unknown kind to the ranker', () => {
    // An indexed element, an attribute, a call's result: no kind, so no list is put first.
    const indexed = labelsOf(completeAt('rows = [[1]]\nrows[0].|', 'python'));
    expect(indexed[0]).not.toBe('append');
    const attribute = labelsOf(completeAt('class A:\n    def f(self):\n        self.items = {}\n        self.items.clean()\nitems = []\nother.items.c|', 'python'));
    expect(attribute[0]).toBe('clean');
  });
});

describe('no duplicates', () => {
  it('never offers the same label or insert text twice, whatever the code and cursor', () => {
    const words = fc.constantFrom('enumerate', 'items', 'for', 'in', 'def', 'x', '.', '(', ')', '[', ']', ':', '\n', ' ', '    ', '"s"', '# c', 'print', 'e', 'en');
    fc.assert(fc.property(fc.array(words, { maxLength: 40 }), fc.constantFrom('python', 'javascript', 'typescript', 'c'), fc.nat(), (parts, language, at) => {
      const code = parts.join('');
      const answer = completeLocally({ code, cursorPosition: at % (code.length + 1), language, limit: 50, explicit: true });
      expect(new Set(answer.items.map((item) => item.label)).size).toBe(answer.items.length);
      expect(new Set(answer.items.map((item) => item.insertText)).size).toBe(answer.items.length);
    }), { numRuns: 300 });
  });
});
