import { describe, expect, it } from 'vitest';
import { findSnippets, indentSnippet, renderSnippetDefaults } from '../../../server/autocomplete/snippets.ts';
import { LANGUAGES } from '../../../shared/protocol.ts';
import { completeAt } from './complete-at.ts';

describe('snippets', () => {
  it('have numbered placeholders in every language that has them', () => {
    for (const language of LANGUAGES) {
      for (const snippet of findSnippets(language, '')) {
        expect(snippet.body, `${language} ${snippet.detail}`).toMatch(/\$\{\d+(:[^}]*)?\}/);
      }
    }
  });

  it('cover function, class, loop, conditional, try and main guard in Python', () => {
    const details = findSnippets('python', '').map((snippet) => snippet.detail);
    expect(details).toEqual(expect.arrayContaining(['function', 'class', 'for loop', 'if statement', 'try/except', 'main guard', 'import']));
  });

  it('are re-indented to the line of the cursor', () => {
    expect(indentSnippet('if x:\n\t${0:pass}', '    ', '  ')).toBe('if x:\n      ${0:pass}');
  });

  it('render to their defaults as ghost text', () => {
    expect(renderSnippetDefaults('def ${1:name}(${2:args}):\n    ${0:pass}${3}')).toBe('def name(args):\n    pass');
  });

  it('are offered inside an indented block with its indentation', () => {
    const answer = completeAt('def run():\n    for item in items:\n        tr|', 'python');
    const snippet = answer.items.find((item) => item.kind === 'snippet' && item.detail === 'try/except');
    expect(snippet?.insertText).toBe('try:\n            ${1:pass}\n        except ${2:Exception} as ${3:error}:\n            ${0:raise}');
  });
});
