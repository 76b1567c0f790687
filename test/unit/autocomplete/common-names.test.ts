import { describe, expect, it } from 'vitest';
import { getReceiverMembers } from '../../../server/autocomplete/members.ts';
import { getCommonNames } from '../../../server/autocomplete/vocabulary.ts';
import { completeAt, labelsOf } from './complete-at.ts';

describe('names the document has not used yet', () => {
  it('knows the members of JavaScript globals by the receiver name', () => {
    expect(getReceiverMembers('javascript', 'Math')).toContain('floor');
    expect(getReceiverMembers('typescript', 'Object')).toContain('defineProperty');
    expect(getReceiverMembers('javascript', 'somethingElse')).toBeUndefined();
    expect(getReceiverMembers('python', 'Math')).toBeUndefined();
  });

  it('offers a global object\'s own members first after it', () => {
    const answer = completeAt('const items = [];\nitems.forEach(print);\nconst half = Math.f|', 'javascript');
    expect(answer.items[0].label).toBe('floor');
    expect(labelsOf(answer)).not.toContain('forEach');
    const symbol = completeAt('class Bag {\n  *[Symbol.i|', 'typescript');
    expect(labelsOf(symbol)).toContain('iterator');
  });

  it('offers common names and standard members of JavaScript before the document uses them', () => {
    expect(getCommonNames('javascript', 'names')).toContain('options');
    expect(getCommonNames('typescript', 'names')).toContain('Partial');
    expect(getCommonNames('javascript', 'members')).toContain('addEventListener');
    expect(getCommonNames('python', 'names')).toEqual([]);
    const answer = completeAt('const button = find();\nbutton.addE|', 'javascript');
    expect(answer.items[0].label).toBe('addEventListener');
  });

  it('still ranks a name the document uses above a common one', () => {
    const answer = completeAt('const optimizer = build();\noptimizer.run();\nuse(optimizer);\nconsole.log(op|', 'javascript');
    expect(answer.items[0].label).toBe('optimizer');
  });

  it('offers no common or corpus names after this., only the class\'s own members', () => {
    const answer = completeAt('class Pump {\n  constructor() {\n    this.pressure = 0;\n  }\n  read() {\n    return this.|', 'javascript');
    expect(labelsOf(answer)).not.toContain('items');
    expect(labelsOf(answer)).not.toContain('addEventListener');
    expect(answer.items[0].label).toBe('pressure');
  });

  it('keeps statement keywords out of the top right after an operator', () => {
    const answer = completeAt('const iterations = 3;\nconst value = [i|', 'javascript');
    expect(answer.items[0].label).toBe('iterations');
  });

  it('never mines common names out of strings or comments', () => {
    const answer = completeAt('// zebraStripes\nconst label = "zebraStripes";\nconst z = ze|', 'javascript');
    expect(labelsOf(answer)).not.toContain('zebraStripes');
  });
});
