import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCanonicalPath } from '../../../shared/file-paths.ts';
import { FileError } from '../../../shared/room-files.ts';
import { planNewRoomFiles } from '../../../server/files/new-room-files.ts';

const file = (path: string, content = '') => ({ path, content });

describe('planNewRoomFiles', () => {
  it('picks a root main.* as the entry, else the first file in path order; the entry file gives the language', () => {
    expect(planNewRoomFiles([file('b.py'), file('main.rs'), file('src/main.py')], { fallbackLanguage: 'python' })).toMatchObject({ seed: { entry: 'main.rs' }, language: 'rust' });
    expect(planNewRoomFiles([file('z.txt'), file('lib/a.go')], { fallbackLanguage: 'python' })).toMatchObject({ seed: { entry: 'lib/a.go' }, language: 'go' });
    expect(planNewRoomFiles([file('notes')], { fallbackLanguage: 'java' }).language).toBe('java');
    expect(planNewRoomFiles([file('a.py'), file('b.c')], { entry: 'b.c', fallbackLanguage: 'python', entryLanguage: 'cpp' }).language).toBe('cpp');
  });

  it('keeps only empty folders, without their parents', () => {
    const plan = planNewRoomFiles([file('src/a.py')], { folders: ['src', 'docs', 'docs/empty', 'x/y/z'], fallbackLanguage: 'python' });
    expect(plan.seed.folders).toEqual(['docs/empty', 'x/y/z']);
  });

  it('never accepts a path that is not canonical, whatever it is given (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ path: fc.string({ maxLength: 12 }), content: fc.string({ maxLength: 4 }) }), { minLength: 1, maxLength: 5 }), (files) => {
        try {
          const plan = planNewRoomFiles(files, { fallbackLanguage: 'python' });
          for (const planned of plan.seed.files) expect(isCanonicalPath(planned.path)).toBe(true);
          expect(new Set(plan.seed.files.map((planned) => planned.path)).size).toBe(files.length);
        } catch (error) {
          expect(error).toBeInstanceOf(FileError);
        }
      }),
    );
  });
});
