import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downloadName, extensionOf } from '../../../client/files/download-name.ts';
import { LANGUAGES } from '../../../shared/protocol.ts';

// Issue 14 item 1: a download is named from the title, else
// `pairpad-<language>.<ext>`, never from the room id (the edit key).
describe('the name of a download', () => {
  it('comes from the title, with the extension of the file', () => {
    expect(downloadName('Binary search', 'python')).toBe('Binary search.py');
    expect(downloadName('  Kata: two/sum?  ', 'rust')).toBe('Kata two sum.rs');
    expect(downloadName('notes.md', 'markdown', 'md')).toBe('notes.md');
    expect(downloadName('Project', 'python', 'zip')).toBe('Project.zip');
    expect(downloadName('..', 'go')).toBe('pairpad-go.go');
  });

  it('is pairpad-<language>.<ext> without a title', () => {
    expect(downloadName('', 'python')).toBe('pairpad-python.py');
    expect(downloadName('   ', 'cpp')).toBe('pairpad-cpp.cpp');
    expect(downloadName('', 'typescript', 'zip')).toBe('pairpad-typescript.zip');
  });

  it('never holds a path separator, a control character or a reserved one, whatever the title', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(...LANGUAGES), fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), (title, language, extension) => {
        const name = downloadName(title, language, extension);
        // eslint-disable-next-line no-control-regex
        expect(name).not.toMatch(/[\u0000-\u001f\u007f/\\:*?"<>|]/);
        expect(name.length).toBeGreaterThan(2);
        expect(name.length).toBeLessThanOrEqual(120);
        expect(name.startsWith('.')).toBe(false);
        expect(name).toMatch(/\.[A-Za-z0-9+_-]+$/);
        // No lone surrogate from cutting a long title.
        expect(() => encodeURIComponent(name)).not.toThrow();
      }),
    );
  });

  it('reads a path’s extension', () => {
    expect(extensionOf('src/main.py')).toBe('py');
    expect(extensionOf('archive.tar.gz')).toBe('gz');
    expect(extensionOf('Makefile')).toBeUndefined();
    expect(extensionOf('.env')).toBeUndefined();
    expect(extensionOf('a.b/c')).toBeUndefined();
  });
});
