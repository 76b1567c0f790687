import { describe, expect, it } from 'vitest';
import { completeLocally } from '../../../server/autocomplete/index.ts';
import { LANGUAGES } from '../../../shared/protocol.ts';
import { autocompleteResponse } from '../../../shared/schemas/autocomplete.schema.ts';

const SOURCE = [
  'import os, sys  # comment with "quotes"',
  'class Box(object):',
  '    def __init__(self, items=None):',
  '        self.items = items or []  /* not a comment here */',
  '        text = f"{self.items!r} and \'nested\' `ticks` ${x}"',
  '    def size(self) -> int: return len(self.items)  // trailing',
  '#include <stdio.h>',
  'function run($arg) { return $this->value?.field ?? `tmpl ${arg}`; }',
  '"unterminated string',
  '/* unterminated comment',
].join('\n');

function* cursorPositions(text: string): Generator<number> {
  // Every offset of a short text covers the awkward spots: inside quotes, right after operators, at line ends.
  for (let position = 0; position <= text.length; position += 1) yield position;
}

describe('robustness', () => {
  it.each(LANGUAGES)('answers a valid response at every cursor position of mixed code in %s', (language) => {
    for (const cursorPosition of cursorPositions(SOURCE)) {
      const answer = completeLocally({ code: SOURCE, cursorPosition, language, limit: 5 });
      expect(() => autocompleteResponse.parse(answer)).not.toThrow();
      expect(answer.from).toBeLessThanOrEqual(answer.to);
      expect(answer.to).toBe(cursorPosition);
      expect(answer.items.length).toBeLessThanOrEqual(5);
    }
  });
});

describe('names of Object.prototype in the code', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('completes after `%s.` without taking it for a known receiver', (name) => {
    for (const language of ['javascript', 'typescript']) {
      const code = `class Widget { size() { return 1; } }\nconst w = new Widget();\nw.size();\n${name}.s`;
      const answer = completeLocally({ code, cursorPosition: code.length, language, limit: 5 });
      expect(() => autocompleteResponse.parse(answer)).not.toThrow();
      expect(answer.items.map((item) => item.label)).toContain('size');
    }
  });
});
