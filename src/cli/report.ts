import type { Command } from 'commander';
import { join } from 'node:path';
import { reportPage } from '../report/report.js';
import { writeAtomic } from '../streams/io/files.js';
import { readRun } from '../streams/io/run-dir.js';

/** `lstmp report`: a run directory as one self-contained HTML page. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('an HTML report of a training run: accuracy against frames and time, loss, rate, throughput, the network, decoding results')
    .argument('<RUNDIR>', 'run directory (lstmp train --out, lstmp demo): metrics.jsonl, model.msgpack, summary.json, decode.jsonl')
    .option('--out <report.html>', 'where to write the page (default RUNDIR/report.html)')
    .action((dir: string, options: { out?: string }) => {
      const out = options.out ?? join(dir, 'report.html');
      writeAtomic(out, reportPage(readRun(dir)));
      process.stdout.write(`${out}\n`);
    });
}
