import { describe, expect, it } from 'vitest';
import { DEFAULT_INDENT, detectIndentUnit } from '../../../client/editor/indentation.ts';

describe('detectIndentUnit', () => {
  it('uses the language default for code without indentation', () => {
    expect(detectIndentUnit('', 'python')).toBe('    ');
    expect(detectIndentUnit('x = 1\n', 'javascript')).toBe('  ');
    expect(detectIndentUnit('package main\n', 'go')).toBe('\t');
  });

  it('keeps four spaces when every indent is a multiple of four', () => {
    expect(detectIndentUnit('function f() {\n    if (x) {\n        y();\n    }\n}\n', 'javascript')).toBe('    ');
  });

  it('finds two spaces', () => {
    expect(detectIndentUnit('def f():\n  if x:\n    y()\n', 'python')).toBe('  ');
  });

  it('finds tabs', () => {
    expect(detectIndentUnit('class A {\n\tint x;\n\tvoid f() {\n\t\tx++;\n\t}\n}\n', 'java')).toBe('\t');
  });

  it('ignores odd alignment such as block comment stars', () => {
    expect(detectIndentUnit('/**\n * doc\n */\nfunction f() {\n    return 1;\n}\n', 'typescript')).toBe('    ');
  });

  it('has a default for every language', () => {
    for (const unit of Object.values(DEFAULT_INDENT)) expect(['\t', '  ', '    ']).toContain(unit);
  });
});
