/**
 * True for a foreign-key violation on SQLite or Postgres: a row written for
 * a parent that is gone (a log row or run output whose room was deleted).
 */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** What an operator should look at when a write failed, for the failures whose cause is known. */
export function describeWriteFailure(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'the disk is full';
  // A database file made read-only under a running server fails its writes as I/O errors.
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return 'the database file is not writable: read-only file or file system, permissions, or a failing disk';
  }
  return undefined;
}
