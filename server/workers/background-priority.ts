import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How much lower than the process a background worker thread runs (a nice increment; 19 is the lowest). */
const BACKGROUND_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority (Linux: a thread has its
 * own nice value, set through its thread id). A worker that does
 * background work (building history versions as people type) then takes
 * the CPU only when the thread that serves sockets does not want it, so on
 * a busy machine its work waits instead of a keystroke. Elsewhere, or if
 * the system refuses, nothing changes.
 */
export function runInBackground(): void {
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isInteger(threadId) || threadId <= 0) return;
    setPriority(threadId, Math.min(19, getPriority(threadId) + BACKGROUND_NICE));
  } catch {
    // Not Linux, or not allowed: the thread keeps the process's priority.
  }
}
