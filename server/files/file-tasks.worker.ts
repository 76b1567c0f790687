/** The worker thread of `file-worker.ts`: runs {@link runFileTask} off the event loop. */
import { runFileTask, type FileTask } from './file-tasks.ts';

export default function run(task: FileTask): Promise<unknown> {
  return runFileTask(task as never);
}
