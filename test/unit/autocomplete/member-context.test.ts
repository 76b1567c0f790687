import { describe, expect, it } from 'vitest';
import { completeAt, labelsOf } from './complete-at.ts';

describe('after a receiver and a member operator', () => {
  it('offers the attributes assigned on self in Python, as members', () => {
    const answer = completeAt(
      'class Cart:\n    def __init__(self):\n        self.items = []\n        self.total = 0\n\n    def add(self, item):\n        self.|',
      'python',
    );
    expect(labelsOf(answer).slice(0, 2).sort()).toEqual(['items', 'total']);
    expect(answer.items[0].kind).toBe('member');
    expect(answer.type).toBe('member');
  });

  it('prefers members seen on that receiver over other names', () => {
    const answer = completeAt(
      'const store = load();\nstore.subscribe(render);\nstore.dispatch(action);\nconst summary = 1;\nstore.s|',
      'javascript',
    );
    expect(answer.items[0].label).toBe('subscribe');
    expect(answer.suggestion).toBe('ubscribe');
    expect(answer.from).toBe(answer.to - 1);
  });

  it('offers this.members in TypeScript classes', () => {
    const answer = completeAt(
      'class Timer {\n  private started = 0;\n  start(): void {\n    this.started = Date.now();\n  }\n  elapsed(): number {\n    return Date.now() - this.|',
      'typescript',
    );
    expect(answer.items[0].label).toBe('started');
  });

  it('never offers keywords as members', () => {
    const answer = completeAt('import os\nfor_each = 1\nos.path.join("a")\nos.|', 'python');
    expect(answer.items.every((item) => item.kind !== 'keyword')).toBe(true);
    expect(labelsOf(answer)).toContain('path');
  });

  it('offers standard members the document has not used yet, marked as such', () => {
    const answer = completeAt('names = []\nnames.ap|', 'python');
    expect(answer.items[0]).toMatchObject({ label: 'append', kind: 'member', detail: 'standard member' });
    expect(labelsOf(completeAt('const parts = [];\nparts.pu|', 'javascript'))[0]).toBe('push');
  });

  it('understands -> in PHP', () => {
    const answer = completeAt('<?php\n$this->name = $name;\n$this->email = $email;\necho $this->n|', 'php');
    expect(answer.items[0].label).toBe('name');
  });
});
