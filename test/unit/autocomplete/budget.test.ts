import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parser as javascriptParser } from '@lezer/javascript';
import { completeLocally } from '../../../server/autocomplete/index.ts';
import { BudgetExceeded } from '../../../server/autocomplete/budget.ts';
import { parseIncrementally } from '../../../server/autocomplete/parse-cache.ts';
import { autocompleteResponse } from '../../../shared/schemas/autocomplete.schema.ts';

describe('time budget', () => {
  it('answers a valid, empty response when the deadline has already passed', () => {
    const code = 'calculate_total = 0\nprint(calc';
    const answer = completeLocally({ code, cursorPosition: code.length, language: 'python', limit: 10, deadline: Date.now() - 1, clientKey: 'past' });
    expect(answer).toEqual({ suggestion: '', confidence: 0, type: 'identifier', from: code.length, to: code.length, items: [] });
  });

  it('completes nested brackets a million deep without overflowing the stack (issue 13: 500 from the tree walk)', () => {
    // No deadline: the parse runs to the end, where Lezer's own recursive tree building overflows.
    for (const [language, code] of [['python', 'f('.repeat(300_000)], ['javascript', '['.repeat(200_000)]] as const) {
      const answer = completeLocally({ code, cursorPosition: code.length, language, limit: 5 });
      expect(() => autocompleteResponse.parse(answer)).not.toThrow();
    }
  }, 120_000);

  it('drops a carried parse that throws, so the caller\'s next request starts afresh instead of failing the same way', () => {
    // Lezer builds its tree recursively at the end of a parse, and overflows the stack on absurd
    // nesting. How deep it must be depends on the stack left, and reaching it within the carried
    // parse's limit (MAX_PARSE_MS) depends on the machine's speed; so each slice runs with the stack
    // nearly used up, where a modest nesting, quick to parse anywhere, overflows for certain.
    const code = 'f('.repeat(50_000);
    let free = 0;
    const probe = (depth: number): number => {
      free = depth;
      return probe(depth + 1) + 1;
    };
    try {
      probe(0);
    } catch {
      // `free` is how many frames of `probe` the stack holds here.
    }
    const nearStackEnd = <T>(depth: number, work: () => T): T => (depth <= 0 ? work() : nearStackEnd(depth - 1, work));
    let failure: unknown;
    for (let attempt = 0; attempt < 1_000 && failure === undefined; attempt++) {
      try {
        nearStackEnd(free - 500, () => parseIncrementally(javascriptParser, code, 'overflowing', Date.now() + 50));
        break;
      } catch (error) {
        if (!(error instanceof BudgetExceeded)) failure = error;
      }
    }
    expect(failure).toBeInstanceOf(RangeError);
    // A fresh parse of the same text, cut short by its budget again, not the broken one rethrowing.
    expect(() => parseIncrementally(javascriptParser, code, 'overflowing', Date.now() + 1)).toThrow(BudgetExceeded);
  }, 120_000);

  it('never throws and always answers the schema under any deadline, for any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('python', 'typescript', 'c', 'shell', 'plaintext'), fc.integer({ min: -5, max: 5 }), fc.nat(), (code, language, offset, at) => {
      const answer = completeLocally({ code, cursorPosition: at % (code.length + 1), language, limit: 5, deadline: Date.now() + offset, clientKey: 'budget-property' });
      expect(() => autocompleteResponse.parse(answer)).not.toThrow();
    }), { numRuns: 300 });
  });

  it('carries a parse the budget cut short on to the caller\'s next requests, which then answer as a fresh parse does', async () => {
    const body = Array.from({ length: 3000 }, (_, index) => `def handler_${index}(request):\n    return respond(request, ${index})\n`).join('');
    const code = `${body}hand`;
    const request = { code, cursorPosition: code.length, language: 'python', limit: 5 };
    const fresh = completeLocally(request);
    // A deadline of 1 ms stops the first parse; later requests (and idle turns) go on with it.
    const first = completeLocally({ ...request, clientKey: 'carried', deadline: Date.now() + 1 });
    expect(first.items).toEqual([]);
    let answer = first;
    // Each attempt's 20 ms is far less than a fresh parse: only carried work can finish. Many attempts,
    // since on a loaded machine the stages after the parse can overrun one now and then.
    // (The ghost line has its own share of the budget: a loaded machine can cut it short once the items are there.)
    const same = (a: unknown) => JSON.stringify(a) === JSON.stringify(fresh);
    for (let attempt = 0; attempt < 2_000 && !same(answer); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      answer = completeLocally({ ...request, clientKey: 'carried', deadline: Date.now() + 20 });
    }
    expect(answer).toEqual(fresh);
  }, 60_000);
});
