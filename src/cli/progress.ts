import { SingleBar } from 'cli-progress';

/** Named values shown on a progress line, e.g. { loss: '1.23', fps: '4100' }. */
export type ProgressFields = Record<string, string | number>;

export interface Progress {
  update(done: number, fields?: ProgressFields): void;
  /** a line of its own above the bar (or in the log) */
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  readonly unit: string;
  /** field names shown after the count, in order */
  readonly fields?: readonly string[];
  /** nothing at all */
  readonly quiet?: boolean;
  /** seconds between plain log lines when the output is not a terminal */
  readonly logEvery?: number;
  readonly stream?: NodeJS.WriteStream;
}

/**
 * Progress of a long command: a live bar on a terminal; plain periodic log
 * lines without control characters when the output is a file or a pipe;
 * nothing with `quiet`. Writes to stderr by default, so stdout stays clean
 * for results and --json.
 */
export function progress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const fields = options.fields ?? [];
  const describe = (values: ProgressFields) => fields.filter((name) => values[name] !== undefined).map((name) => `${name} ${values[name]}`).join('  ');
  if (options.quiet) return { update: () => {}, log: () => {}, stop: () => {} };

  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format: `${options.label} [{bar}] {percentage}% {value}/{total} ${options.unit}  {details}  eta {eta_formatted}`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
    );
    bar.start(options.total, 0, { details: '' });
    return {
      update: (done, values = {}) => bar.update(Math.min(done, options.total), { details: describe(values) }),
      log: (line) => {
        stream.clearLine(0);
        stream.cursorTo(0);
        // ESC 7 saves the bar's new row: cli-progress saved the first one at start and returns there
        // at stop, which, unless the screen scrolled, would put later output over the logged lines.
        stream.write(`${line}\n\x1b7`);
        bar.render();
      },
      stop: () => bar.stop(),
    };
  }

  const every = (options.logEvery ?? 10) * 1000;
  let last = -Infinity;
  let latest: { done: number; values: ProgressFields } = { done: 0, values: {} };
  const line = () => {
    const { done, values } = latest;
    const percent = options.total > 0 && Number.isFinite(options.total) ? ` (${Math.floor((100 * done) / options.total)}%)` : '';
    return `${options.label}: ${done}${Number.isFinite(options.total) ? `/${options.total}` : ''} ${options.unit}${percent}  ${describe(values)}`.trimEnd();
  };
  return {
    update: (done, values = {}) => {
      latest = { done, values };
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      stream.write(`${line()}\n`);
    },
    log: (text) => stream.write(`${text}\n`),
    stop: () => stream.write(`${line()}\n`),
  };
}
