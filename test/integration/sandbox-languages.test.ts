import { beforeAll, describe, expect, it } from 'vitest';
import type { Runner, Runtime } from '../../server/run/runner.ts';
import type { Language } from '../../shared/protocol.ts';
import { requireLocalRunner, runProgram } from '../support/sandbox.ts';

// Every language this machine has, in a real bubblewrap sandbox: a hello
// that echoes its arguments and stdin, then programs of several files.

const HELLO: Partial<Record<Language, { entry: string; code: string }>> = {
  python: { entry: 'main.py', code: 'import sys\nprint("hello", sys.argv[1:], sys.stdin.read())\n' },
  javascript: { entry: 'main.js', code: 'const input = require("fs").readFileSync(0, "utf8");\nconsole.log("hello", JSON.stringify(process.argv.slice(2)), input);\n' },
  typescript: {
    entry: 'main.ts',
    code: 'import { readFileSync } from "node:fs";\nconst words: string[] = process.argv.slice(2);\nconsole.log("hello", JSON.stringify(words), readFileSync(0, "utf8"));\n',
  },
  c: {
    entry: 'main.c',
    code: '#include <stdio.h>\nint main(int argc, char **argv) {\n  char line[64] = "";\n  fgets(line, sizeof line, stdin);\n  printf("hello %d %s %s %s\\n", argc - 1, argv[1], argv[2], line);\n  return 0;\n}\n',
  },
  cpp: {
    entry: 'main.cpp',
    code: '#include <iostream>\n#include <string>\nint main(int argc, char **argv) {\n  std::string line;\n  std::getline(std::cin, line);\n  std::cout << "hello " << argc - 1 << " " << argv[1] << " " << argv[2] << " " << line << std::endl;\n}\n',
  },
  java: {
    entry: 'Main.java',
    code: 'public class Main {\n  public static void main(String[] args) throws Exception {\n    String input = new String(System.in.readAllBytes());\n    System.out.println("hello " + args.length + " " + args[0] + " " + args[1] + " " + input);\n  }\n}\n',
  },
  shell: { entry: 'main.sh', code: 'read -r line\necho "hello $# $1 $2 $line"\n' },
  rust: {
    entry: 'main.rs',
    code: 'use std::io::Read;\nfn main() {\n  let mut input = String::new();\n  std::io::stdin().read_to_string(&mut input).unwrap();\n  let args: Vec<String> = std::env::args().skip(1).collect();\n  println!("hello {} {} {} {}", args.len(), args[0], args[1], input);\n}\n',
  },
  go: {
    entry: 'main.go',
    code: 'package main\nimport (\n  "fmt"\n  "io"\n  "os"\n)\nfunc main() {\n  input, _ := io.ReadAll(os.Stdin)\n  fmt.Println("hello", len(os.Args)-1, os.Args[1], os.Args[2], string(input))\n}\n',
  },
};

let runner: Runner;
let runtimes: Runtime[];

beforeAll(async () => {
  runner = await requireLocalRunner();
  runtimes = await runner.runtimes();
});

describe('runtimes', () => {
  it('finds the toolchains installed here, each with a version', () => {
    const languages = runtimes.map((runtime) => runtime.language);
    for (const expected of ['python', 'javascript', 'typescript', 'c', 'cpp', 'java', 'shell'] as const) expect(languages).toContain(expected);
    for (const runtime of runtimes) {
      expect(runtime.version).toMatch(/^\d+\.\d+/);
      expect(Array.isArray(runtime.aliases)).toBe(true);
    }
  });
});

describe('hello in every detected language, with stdin and arguments', () => {
  for (const [language, program] of Object.entries(HELLO) as [Language, { entry: string; code: string }][]) {
    it(language, async (context) => {
      if (!runtimes.some((runtime) => runtime.language === language)) context.skip();
      const result = await runProgram(runner, language, program.entry, program.code, { stdin: 'from-stdin', args: ['first arg', '-x'] });
      expect(result.outcome, result.output).toMatchObject({ status: 'finished', exitCode: 0, signal: null, truncated: false });
      expect(result.stdout).toContain('hello');
      expect(result.stdout).toContain('first arg');
      expect(result.stdout).toContain('-x');
      expect(result.stdout).toContain('from-stdin');
      expect(result.outcome.wallMs).toBeGreaterThan(0);
      expect(result.outcome.cpuMs).not.toBeNull();
      expect(result.outcome.maxRssKb).toBeGreaterThan(0);
    });
  }
});

describe('programs of several files', () => {
  it('python imports a module beside the entry, in a folder too', async () => {
    const result = await runProgram(runner, 'python', 'src/main.py', 'from helper import greet\nfrom lib.words import WORD\nprint(greet(WORD))\n', {
      files: [
        { path: 'src/helper.py', content: 'def greet(name):\n    return "hi " + name\n' },
        { path: 'src/lib/words.py', content: 'WORD = "room"\n' },
      ],
    });
    expect(result.outcome).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toBe('hi room\n');
  });

  it('C with a header and a second source file', async () => {
    const result = await runProgram(runner, 'c', 'main.c', '#include <stdio.h>\n#include "util.h"\nint main(void) { printf("%d\\n", twice(21)); return 0; }\n', {
      files: [
        { path: 'util.h', content: '#ifndef UTIL_H\n#define UTIL_H\nint twice(int value);\n#endif\n' },
        { path: 'util.c', content: '#include "util.h"\nint twice(int value) { return value * 2; }\n' },
      ],
    });
    expect(result.outcome, result.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toBe('42\n');
  });

  it('Java runs the entry file\'s class, in its package, with another class beside it', async (context) => {
    if (!runtimes.some((runtime) => runtime.language === 'java')) context.skip();
    const result = await runProgram(runner, 'java', 'app/Main.java', 'package app;\npublic class Main {\n  public static void main(String[] args) { System.out.println(Greeter.greet("java")); }\n}\n', {
      files: [{ path: 'app/Greeter.java', content: 'package app;\nclass Greeter {\n  static String greet(String who) { return "hi " + who; }\n}\n' }],
    });
    expect(result.outcome, result.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toBe('hi java\n');
  });

  it('file names that look like options are files', async () => {
    const python = await runProgram(runner, 'python', '-c.py', 'import sys\nprint("entry", sys.argv[1:])\n', { args: ['-V'] });
    expect(python.outcome, python.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(python.stdout).toBe("entry ['-V']\n");
    const c = await runProgram(runner, 'c', 'main.c', '#include <stdio.h>\nint helper(void);\nint main(void) { printf("%d\\n", helper()); return 0; }\n', {
      files: [{ path: '-o.c', content: 'int helper(void) { return 7; }\n' }],
    });
    expect(c.outcome, c.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(c.stdout).toBe('7\n');
  });

  it('TypeScript imports another file', async () => {
    const result = await runProgram(runner, 'typescript', 'main.ts', 'import { area } from "./shapes";\nconsole.log(area({ width: 6, height: 7 }));\n', {
      files: [{ path: 'shapes.ts', content: 'export interface Box { width: number; height: number }\nexport const area = (box: Box): number => box.width * box.height;\n' }],
    });
    expect(result.outcome, result.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toBe('42\n');
  });
});

describe('how a run ends', () => {
  it('a compile error is finished with the compiler\'s exit code and its message', async () => {
    const result = await runProgram(runner, 'c', 'main.c', 'int main(void) { return missing; }\n');
    expect(result.outcome.status).toBe('finished');
    expect(result.outcome.exitCode).not.toBe(0);
    expect(result.stderr).toContain('missing');
  });

  it('a non-zero exit and a death by signal are reported as such', async () => {
    const exited = await runProgram(runner, 'shell', 'main.sh', 'echo out; echo err >&2; exit 3\n');
    expect(exited.outcome).toMatchObject({ status: 'finished', exitCode: 3, signal: null });
    expect(exited.output).toBe('out\nerr\n');
    const crashed = await runProgram(runner, 'c', 'main.c', '#include <signal.h>\nint main(void) { raise(SIGSEGV); return 0; }\n');
    expect(crashed.outcome).toMatchObject({ status: 'finished', exitCode: null, signal: 'SIGSEGV' });
  });

  it('canceling stops the program', async () => {
    const controller = new AbortController();
    const running = runProgram(runner, 'shell', 'main.sh', 'echo started; sleep 60\n', { signal: controller.signal });
    // Whenever the abort lands (setting up, or sleeping), the run ends as canceled.
    setTimeout(() => controller.abort(), 200);
    const result = await running;
    expect(result.outcome.status).toBe('canceled');
  });

  it('a language with no toolchain here fails with a message', async () => {
    const result = await runProgram(runner, 'kotlin', 'main.kt', 'fun main() {}\n');
    expect(result.outcome.status).toBe('failed');
    expect(result.outcome.message).toMatch(/kotlin/);
  });
});
