import { describe, expect, it } from 'vitest';
import { progress } from '../../src/cli/progress.js';

/** A stream that records what is written to it, as a terminal (isTTY) or a pipe. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const write = (chunk: string) => {
    text += chunk;
    return true;
  };
  const stream = {
    isTTY,
    columns: 120,
    write,
    clearLine: () => write('\x1b[2K'),
    cursorTo: (x: number) => write(`\x1b[${x + 1}G`),
  };
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => text };
}

/**
 * The rows a terminal shows after `text`, starting at its top row: the VT100
 * subset cli-progress writes (save/restore cursor, column, erase line,
 * private modes), wide enough that nothing wraps.
 */
function screen(text: string): string[] {
  const rows: string[][] = [[]];
  let [row, column] = [0, 0];
  let saved = [0, 0];
  for (let i = 0; i < text.length; i++) {
    const escape = /^\x1b(?:([78])|\[(\??)(\d*)([A-Za-z]))/.exec(text.slice(i));
    if (escape) {
      const [whole, save, , number, command] = escape;
      if (save === '7') saved = [row, column];
      else if (save === '8') [row, column] = saved;
      else if (command === 'G') column = Math.max(Number(number), 1) - 1;
      else if (command === 'K') rows[row] = Number(number) === 2 ? [] : rows[row].slice(0, column);
      i += whole.length - 1;
    } else if (text[i] === '\r') column = 0;
    else if (text[i] === '\n') {
      [row, column] = [row + 1, 0];
      rows[row] ??= [];
    } else rows[row][column++] = text[i];
  }
  return rows.map((cells) => Array.from(cells, (cell) => cell ?? ' ').join('').trimEnd());
}

describe('progress', () => {
  it('keeps lines logged above a terminal bar when output follows it', () => {
    const { stream, written } = fakeStream(true);
    const bar = progress({ label: 'job', total: 4, unit: 'items', fields: ['skipped'], stream });
    bar.update(1, { skipped: 0 });
    bar.log('first');
    bar.update(3, { skipped: 1 });
    bar.log('second');
    bar.update(4, { skipped: 1 });
    bar.stop();
    stream.write('after\n');
    const rows = screen(written());
    expect(rows.slice(0, 2)).toEqual(['first', 'second']);
    expect(rows[2]).toMatch(/^job \[=+\] 100% 4\/4 items {2}skipped 1 {2}eta/);
    expect(rows.slice(3)).toEqual(['after', '']);
  });

  it('writes plain lines off a terminal: the first update, logged lines, and the end', () => {
    const { stream, written } = fakeStream(false);
    const bar = progress({ label: 'job', total: 4, unit: 'items', fields: ['skipped'], stream });
    for (let done = 1; done <= 4; done++) bar.update(done, { skipped: done - 1 });
    bar.log('a line');
    bar.stop();
    expect(written()).toBe('job: 1/4 items (25%)  skipped 0\na line\njob: 4/4 items (100%)  skipped 3\n');
  });

  it('writes nothing when quiet', () => {
    for (const isTTY of [true, false]) {
      const { stream, written } = fakeStream(isTTY);
      const bar = progress({ label: 'job', total: 2, unit: 'items', quiet: true, stream });
      bar.update(1);
      bar.log('a line');
      bar.stop();
      expect(written()).toBe('');
    }
  });
});
