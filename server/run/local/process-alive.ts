/**
 * True when a process with this pid exists (EPERM: it exists but is not
 * ours). Used to tell leftovers of a dead server from those of a live one.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
