/** The worker thread of `history-worker.ts`: runs {@link runHistoryTask} off the event loop. */
import { runHistoryTask, type HistoryTask } from './history-tasks.ts';

export default function run(task: HistoryTask): unknown {
  return runHistoryTask(task as never);
}
