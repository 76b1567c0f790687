import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isCanonicalPath, parentFolders } from '../../../shared/file-paths.ts';
import type { RunFile } from '../runner.ts';
import { isAlive } from './process-alive.ts';

/** The owner of a run's files outside the sandbox, and what its processes run as. */
export interface SandboxIdentity {
  uid: number;
  gid: number;
}

/**
 * The default parent of the runs' working directories: `/dev/shm` when it
 * is a writable memory file system (what a program writes there is then
 * charged to its memory cgroup, so it cannot fill a disk), the OS temp dir
 * otherwise.
 */
export async function defaultWorkRoot(): Promise<string> {
  try {
    const shm = await stat('/dev/shm');
    if (shm.isDirectory()) {
      const probe = path.join('/dev/shm', `pairpad-probe-${randomBytes(4).toString('hex')}`);
      await mkdir(probe);
      await rm(probe, { recursive: true });
      return '/dev/shm/pairpad-runs';
    }
  } catch {
    // Not there or not writable.
  }
  return path.join(os.tmpdir(), 'pairpad-runs');
}

/**
 * Makes the parent of the runs' directories: owned by the server, and
 * searchable but not listable by others (`0711`), so the sandbox user can
 * reach its own run's directory by name and nothing else. Refuses a parent
 * inside any of `forbidden` (the data directory).
 */
export async function prepareWorkRoot(workRoot: string, forbidden: readonly string[]): Promise<string> {
  const root = path.resolve(workRoot);
  for (const dir of forbidden) {
    const relative = path.relative(path.resolve(dir), root);
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
      throw new Error(`the runs' work directory ${root} must not be inside ${dir}`);
    }
  }
  await mkdir(root, { recursive: true, mode: 0o711 });
  const info = await lstat(root);
  if (!info.isDirectory() || info.uid !== process.getuid?.()) {
    throw new Error(`the runs' work directory ${root} is not a directory owned by the server`);
  }
  await chmod(root, 0o711);
  await removeStaleRunDirectories(root);
  return root;
}

/** Run directories left by a server that died mid-run (named after its pid, which is gone). */
async function removeStaleRunDirectories(root: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const owner = /^(\d+)-/.exec(name)?.[1];
    if (owner === undefined || isAlive(Number(owner))) continue;
    await rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** One run's private directories on the host. */
export interface RunDirectory {
  /** Removes everything (call once no process of the run is left). */
  remove(): Promise<void>;
  /** The room's files: the sandbox's working directory `/box`. */
  box: string;
  /** Compiler output: `/build` in the sandbox. */
  build: string;
}

/**
 * A fresh directory for one run, holding the room's files. Every path is
 * checked to be canonical (no `..`, no absolute path) and every file is
 * created new (`O_EXCL | O_NOFOLLOW`) in a directory only we made, so
 * nothing written can land outside it. Throws on a path that is not canonical or
 * clashes with another.
 */
export async function createRunDirectory(workRoot: string, files: readonly RunFile[], owner: SandboxIdentity | undefined): Promise<RunDirectory> {
  const dir = path.join(workRoot, `${process.pid}-${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`);
  await mkdir(dir, { mode: 0o700 });
  const remove = async () => {
    try {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A server that is not root runs programs as itself, and a program can leave a folder it made
      // unreadable (`chmod 000`): the server cannot list it, and its files would stay in memory for good.
      await restoreOwnerAccess(dir);
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  };
  try {
    const box = path.join(dir, 'box');
    const build = path.join(dir, 'build');
    await mkdir(box, { mode: 0o755 });
    await mkdir(build, { mode: 0o755 });
    const made = [dir, box, build];
    const folders = new Set<string>();
    for (const file of files) {
      if (!isCanonicalPath(file.path)) throw new Error(`not a room path: ${JSON.stringify(file.path)}`);
      for (const folder of parentFolders(file.path)) {
        if (folders.has(folder)) continue;
        folders.add(folder);
        const target = path.join(box, folder);
        await mkdir(target, { mode: 0o755 });
        made.push(target);
      }
      const target = path.join(box, file.path);
      const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      try {
        await handle.writeFile(file.content, 'utf8');
      } finally {
        await handle.close();
      }
      made.push(target);
    }
    if (owner) for (const entry of made) await chown(entry, owner.uid, owner.gid);
    return { box, build, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}


/** Gives the owner back read, write and search on every folder under `dir` (links are not followed); call once no process of the run is left. */
async function restoreOwnerAccess(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await restoreOwnerAccess(path.join(dir, entry.name));
  }
}
