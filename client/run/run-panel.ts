import type { HocuspocusProvider } from '@hocuspocus/provider';
import { parseRunEvent, type RunEvent, type RunSummary } from '../../shared/schemas/run-event.schema.ts';
import { isRunOver, type Run } from '../../shared/schemas/run.schema.ts';
import { ApiError } from '../api.ts';
import { h } from '../dom.ts';
import { isTouchScreen } from '../touch-screen.ts';
import { RunOutput } from './run-output.ts';
import type { RunsApi } from './runs-api.ts';

/** What the run panel is given by the room page. */
export interface RunPanelOptions {
  api: RunsApi;
  /** The id the page opened the room with (edit or view id): reads go through it. */
  roomId: string;
  /** The edit id, when the page may run and stop; absent on the view page. */
  editRoomId: string | undefined;
  provider: HocuspocusProvider;
  /** The person's display name, sent as who started the run. */
  userName(): string;
  /** Shows a short message to the person (errors). */
  notify(message: string): void;
}

export interface RunPanel {
  element: HTMLElement;
  /** Starts a run (Run button, Ctrl/Cmd+Enter); nothing on the view page or while one runs. */
  run(): void;
  destroy(): void;
}

const STATUS_LABELS: Record<Run['status'], string> = {
  queued: 'queued', running: 'running', finished: 'finished', timed_out: 'timed out', killed: 'killed', canceled: 'stopped', failed: 'failed',
};

/** A one-line account of a run: who, status, exit code, time, memory. */
export function describeRun(run: RunSummary): string {
  const parts = [`${run.startedBy} ran it`, STATUS_LABELS[run.status]];
  if (run.exitCode !== null) parts.push(`exit ${run.exitCode}`);
  if (run.signal) parts.push(run.signal);
  if (run.wallMs !== null) parts.push(run.wallMs >= 1000 ? `${(run.wallMs / 1000).toFixed(2)} s` : `${run.wallMs} ms`);
  if (run.maxRssKb !== null) parts.push(`${(run.maxRssKb / 1024).toFixed(1)} MB`);
  if (run.truncated) parts.push('output cut');
  if (run.message && run.status !== 'finished') parts.push(run.message);
  return parts.join(' · ');
}

/**
 * The shared output panel: a Run button, an optional stdin box, a Stop
 * button, and the latest run of the room as everyone sees it (live through
 * the room's run events, see `shared/protocol.ts`). On the view page it only
 * shows.
 */
export function createRunPanel(options: RunPanelOptions): RunPanel {
  const readOnly = options.editRoomId === undefined;
  const output = new RunOutput();
  const status = h('span', { class: 'run-status', role: 'status' }, readOnly ? 'No run yet' : isTouchScreen() ? 'Tap Run to run the program' : 'Run the program with Ctrl+Enter');
  const runButton = h('button', { type: 'button', class: 'button button-primary run-button', title: 'Run the program (Ctrl/Cmd+Enter)' }, 'Run');
  const stopButton = h('button', { type: 'button', class: 'button run-stop', title: 'Stop the run', hidden: true }, 'Stop');
  const stdinToggle = h('button', { type: 'button', class: 'button run-stdin-toggle', 'aria-expanded': 'false' }, 'Input');
  const stdin = h('textarea', { class: 'run-stdin', placeholder: 'Standard input for the program', 'aria-label': 'Standard input', hidden: true, rows: 3 });
  const element = h(
    'section',
    { class: 'run-panel', 'aria-label': 'Run' },
    h('div', { class: 'run-bar' }, ...(readOnly ? [] : [runButton, stopButton, stdinToggle]), status),
    readOnly ? null : stdin,
    output.element,
  );

  /** The run on screen, and the next output event it expects. */
  let current: RunSummary | undefined;
  let nextSeq = 0;
  let starting = false;

  const render = () => {
    const live = current !== undefined && !isRunOver(current.status);
    if (current) status.textContent = describeRun(current);
    element.dataset.status = current?.status ?? 'none';
    runButton.disabled = readOnly || live || starting;
    stopButton.hidden = !live;
  };

  const show = (run: Run) => {
    const { stdout: _stdout, stderr: _stderr, output: text, ...summary } = run;
    current = summary;
    output.clear();
    // The stored text has no stream marks per chunk; stderr is shown after it when it is all there is.
    if (run.stdout.length + run.stderr.length === text.length && run.stderr.length > 0 && text.startsWith(run.stdout)) {
      output.append('stdout', run.stdout);
      output.append('stderr', run.stderr);
    } else {
      output.append('stdout', text);
    }
    render();
  };

  /** Reads the run again from the server (a late join, or a missed event). */
  const refetch = async (runId: string) => {
    try {
      const run = await options.api.get(options.roomId, runId);
      if (current?.runId !== runId) return;
      show(run);
      // Output events already counted in the text read are skipped by their seq.
      nextSeq = Number.POSITIVE_INFINITY;
      if (!isRunOver(run.status)) awaitingCatchUp = runId;
    } catch {
      // The next event or the end shows it.
    }
  };
  /** After a refetch mid-run, output events are only trustworthy again from the end. */
  let awaitingCatchUp: string | undefined;

  const onEvent = (event: RunEvent) => {
    switch (event.type) {
      case 'run.queued':
        current = event.run;
        nextSeq = 0;
        awaitingCatchUp = undefined;
        output.clear();
        render();
        return;
      case 'run.started':
        if (current?.runId !== event.runId) return;
        current = { ...current, status: 'running', startedAt: event.startedAt };
        render();
        return;
      case 'run.output':
        if (current?.runId !== event.runId) return;
        if (awaitingCatchUp === event.runId) return;
        if (event.seq !== nextSeq) {
          void refetch(event.runId);
          return;
        }
        nextSeq++;
        for (const [stream, text] of event.chunks) output.append(stream, text);
        return;
      case 'run.ended':
        if (current?.runId !== event.run.runId || awaitingCatchUp === event.run.runId) {
          current = event.run;
          awaitingCatchUp = undefined;
          void refetch(event.run.runId);
          return;
        }
        current = event.run;
        render();
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  };

  const onStateless = ({ payload }: { payload: string }) => {
    const event = parseRunEvent(payload);
    if (event) onEvent(event);
  };
  options.provider.on('stateless', onStateless);

  // Someone joining mid-run (or after) sees the room's latest run.
  void options.api
    .list(options.roomId)
    .then((runs) => {
      if (current || runs.length === 0) return;
      show(runs[0]);
      if (!isRunOver(runs[0].status)) {
        nextSeq = Number.POSITIVE_INFINITY;
        awaitingCatchUp = runs[0].runId;
      }
    })
    .catch(() => {});

  const run = () => {
    if (readOnly || starting || (current && !isRunOver(current.status))) return;
    starting = true;
    render();
    options.api
      .start(options.editRoomId!, { stdin: stdin.hidden ? '' : stdin.value, name: options.userName() })
      .catch((error: unknown) => options.notify(error instanceof ApiError ? error.message : 'The run could not be started.'))
      .finally(() => {
        starting = false;
        render();
      });
  };

  runButton.addEventListener('click', run);
  stopButton.addEventListener('click', () => {
    if (!current || readOnly) return;
    options.api.cancel(options.editRoomId!, current.runId).catch((error: unknown) => {
      options.notify(error instanceof ApiError ? error.message : 'The run could not be stopped.');
    });
  });
  stdinToggle.addEventListener('click', () => {
    stdin.hidden = !stdin.hidden;
    stdinToggle.setAttribute('aria-expanded', String(!stdin.hidden));
    if (!stdin.hidden) stdin.focus();
  });
  render();

  return {
    element,
    run,
    destroy: () => options.provider.off('stateless', onStateless),
  };
}
