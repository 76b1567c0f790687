import fc from 'fast-check';
import { readdir } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../../server/run/runner.ts';
import { isCanonicalPath } from '../../shared/file-paths.ts';
import { requireLocalRunner, runProgram } from '../support/sandbox.ts';

// Whatever a room sends (stdin, arguments, file contents and paths), the
// program receives it byte for byte, nothing is read as shell syntax, and
// no file lands outside the run's working directory.

let runner: Runner;
beforeAll(async () => {
  runner = await requireLocalRunner();
});

/** Echoes what it got as JSON (ASCII), reading everything as bytes so nothing is translated. */
const ECHO = [
  'import sys, json, os',
  'stdin = sys.stdin.buffer.read().decode("utf-8")',
  'args = [os.fsencode(a).decode("utf-8") for a in sys.argv[1:]]',
  'with open("data.txt", "rb") as f:',
  '    data = f.read().decode("utf-8")',
  'sys.stdout.write(json.dumps({"stdin": stdin, "args": args, "data": data}))',
].join('\n');

/** Text as a room holds it: any Unicode scalar values (no lone surrogates, which UTF-8 cannot carry). */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
/** Arguments: any text but NUL, which a command line cannot hold; shell syntax included on purpose. */
const argument = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).filter((value) => !value.includes('\0')),
  fc.constantFrom('$(id)', '`id`', '; rm -rf /box', '&& echo pwned', '-c', '--', '$HOME', "'", '"', '\\', '*', '\n'),
);

describe('inputs reach the program verbatim', () => {
  it('stdin, arguments and file contents are echoed back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(text(2000), fc.array(argument, { maxLength: 16 }), text(2000), async (stdin, args, data) => {
        const result = await runProgram(runner, 'python', 'main.py', ECHO, { stdin, args, files: [{ path: 'data.txt', content: data }] });
        expect(result.outcome, result.stderr).toMatchObject({ status: 'finished', exitCode: 0 });
        expect(JSON.parse(result.stdout)).toEqual({ stdin, args, data });
      }),
      { numRuns: 15 },
    );
  });

  it('an argument with NUL is refused rather than cut', async () => {
    const result = await runProgram(runner, 'python', 'main.py', 'print(1)', { args: ['a\0b'] });
    expect(result.outcome.status).toBe('failed');
    expect(result.outcome.message).toMatch(/NUL/);
  });
});

describe('files stay in the working directory', () => {
  /** Path-like strings, hostile ones among them. */
  const segment = fc.oneof(fc.constantFrom('..', '.', '', 'a', 'b.py', '-rf', ' ', 'é', '~', '$x', '*'), fc.string({ maxLength: 6 }));
  const pathLike = fc.oneof(
    fc.array(segment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/')),
    fc.constantFrom('lib/util.py', '-rf.py', 'dir with space/notes.txt', 'é/ü.txt', 'a/b/c/d.txt'),
    fc.constantFrom('/etc/passwd', '../escape.py', 'a/../../escape.py', '/box/x', 'a//b', 'a/./b', '\0', 'x\0/../y'),
  );

  it('a canonical path lands inside /box; any other is refused before anything runs', async () => {
    const before = new Set(await readdir('/'));
    await fc.assert(
      fc.asyncProperty(pathLike, text(50), async (filePath, content) => {
        const code = `import os\np = os.path.realpath(${JSON.stringify(filePath)}) if ${isCanonicalPath(filePath) ? 'True' : 'False'} else ""\nprint(p)\nprint(open(p, encoding="utf-8", newline="").read() == ${JSON.stringify(content)} if p else "")\n`;
        const result = await runProgram(runner, 'python', 'main.py', code, { files: [{ path: filePath, content }] });
        if (!isCanonicalPath(filePath) || filePath === 'main.py') {
          expect(result.outcome.status).toBe('failed');
          expect(result.outcome.message).toMatch(/room's files/);
          return;
        }
        expect(result.outcome, result.stderr).toMatchObject({ status: 'finished', exitCode: 0 });
        const [real, same] = result.stdout.split('\n');
        expect(real!.startsWith('/box/')).toBe(true);
        expect(same).toBe('True');
      }),
      { numRuns: 25 },
    );
    expect(new Set(await readdir('/'))).toEqual(before);
  });
});
