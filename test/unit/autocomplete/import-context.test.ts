import { describe, expect, it } from 'vitest';
import { completeAt, labelsOf } from './complete-at.ts';

describe('in an import', () => {
  it('offers Python module names, the document\'s own first', () => {
    const answer = completeAt('import requests_cache\nimport re\n\nimport r|', 'python');
    expect(labelsOf(answer)).toEqual(expect.arrayContaining(['requests_cache', 're', 'random']));
    expect(answer.items.every((item) => item.detail === 'module')).toBe(true);
  });

  it('offers standard modules in a fresh file', () => {
    expect(labelsOf(completeAt('from coll|', 'python'))).toContain('collections');
  });

  it('offers module specifiers inside the quotes of a JavaScript import', () => {
    const answer = completeAt("import fs from 'node:fs';\nimport { join } from 'node:p|", 'javascript');
    expect(answer.items[0].label).toBe('node:path');
    expect(answer.suggestion).toBe('ath');
  });

  it('offers module specifiers inside require()', () => {
    const answer = completeAt("const lib = require('./lib/util');\nconst other = require('./li|", 'javascript');
    expect(labelsOf(answer)).toContain('./lib/util');
  });

  it('offers Go packages inside an import block', () => {
    expect(labelsOf(completeAt('package main\n\nimport (\n\t"fmt"\n\t"str|', 'go'))).toContain('strings');
  });
});

describe('not in an import', () => {
  it('treats a JavaScript variable named from as code', () => {
    const answer = completeAt('const fromIndex = 1, total = 2;\nconst slice = text.slice(from, fromIndex) + to|', 'javascript');
    expect(answer.items[0]).toMatchObject({ label: 'total', kind: 'identifier' });
    expect(answer.items.every((item) => item.detail !== 'module')).toBe(true);
  });

  it('offers C headers before the closing bracket is typed', () => {
    expect(completeAt('#include <stdio.h>\n#include <stdl|', 'c').items[0]?.label).toBe('stdlib.h');
  });
});
