/** The worker thread of `history-worker.ts`: runs {@link runHistoryTask} off the event loop. */
import { runInBackground } from '../workers/background-priority.ts';
import { runHistoryTask, type HistoryTask } from './history-tasks.ts';

// Building versions as people type must not take the CPU from the thread that serves their keystrokes.
runInBackground();

export default function run(task: HistoryTask): unknown {
  return runHistoryTask(task as never);
}
