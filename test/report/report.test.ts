import { describe, expect, it } from 'vitest';
import type { MetricsLine } from '../../src/model/formats/metrics-line.js';
import { reportPage } from '../../src/report/report.js';
import type { RunRecord } from '../../src/streams/io/run-dir.js';

const config = { inputs: 40, cells: 16, projection: 8, layers: 1, outputs: 4, cellClip: 50, peepholes: true };
const metrics: MetricsLine[] = [1, 2, 3].flatMap((k): MetricsLine[] => [
  { type: 'progress', framesSeen: k * 1000, seconds: k, epoch: 0, learningRate: 0.01 / k, framesPerSecond: 1000, trainLoss: 1 / k, trainFrameAccuracy: 0.3 * k },
  { type: 'evaluation', framesSeen: k * 1000 + 10, seconds: k + 0.5, epoch: 0, learningRate: 0.01 / k, trainLoss: 1 / k, trainFrameAccuracy: 0.3 * k, devLoss: 1.1 / k, devFrameAccuracy: 0.25 * k, devFrames: 500 },
]);
const run: RunRecord = { dir: 'runs/<x>', metrics, config, checkpoint: { config, delay: 5 }, summary: { threads: 2 }, decode: null };
const charts = (html: string) => [...html.matchAll(/data-chart="([^"]+)" data-points="(\d+)"/g)].map(([, title, points]) => [title, Number(points)]);

describe('reportPage', () => {
  it('charts accuracy against frames and time, loss, rate and throughput, and lists the network', () => {
    const html = reportPage(run);
    expect(charts(html)).toEqual([
      ['Frame accuracy against frames seen', 9],
      ['Frame accuracy against wall time', 9],
      ['Loss per frame', 6],
      ['Learning rate', 3],
      ['Throughput', 3],
    ]);
    expect(html).toContain('75.00%'); // the last dev frame accuracy
    expect(html).toContain('<code>runs/&lt;x&gt;</code>');
    expect(html).toContain('1-layer LSTMP (16 cells, 8 projection units)');
    expect(html).toMatch(/layer0\.Wx<\/td><td class="num">\[64 × 40\]<\/td><td class="num">2,560</);
    expect(html).not.toContain('id="decoding"');
    expect(html).not.toMatch(/<script|https?:/);
  });

  it('shows the word error rate and every error of a decoded test set, in its own colour', () => {
    const decode = [
      { id: 'a<b', reference: ['one', 'two'], hypothesis: ['one', 'too', 'three'], edits: [{ op: 'ok' as const, ref: 'one', hyp: 'one' }, { op: 'sub' as const, ref: 'two', hyp: 'too' }, { op: 'ins' as const, hyp: 'three' }] },
      { id: 'c', reference: ['four', 'five'], hypothesis: ['five'], edits: [{ op: 'del' as const, ref: 'four' }, { op: 'ok' as const, ref: 'five', hyp: 'five' }] },
      { id: 'd', reference: ['six'], hypothesis: ['six'], edits: [{ op: 'ok' as const, ref: 'six', hyp: 'six' }] },
    ];
    const html = reportPage({ ...run, decode });
    expect(html).toContain('<strong>60.00%</strong>'); // 3 errors in 5 words
    expect(html).toContain('66.67% (2 of 3 utterances)');
    expect(html).toContain('<span class="w-sub" title="substitution: two → too"><small>two</small>too</span>');
    expect(html).toContain('<span class="w-ins" title="insertion: three">three</span>');
    expect(html).toContain('<span class="w-del" title="deletion: four">four</span>');
    expect(html).toContain('<td class="mono id">a&lt;b</td><td class="num">2</td>');
    expect(html.indexOf('a&lt;b')).toBeLessThan(html.indexOf('>c</td>')); // most errors first
    expect(html).toContain('1 utterance without errors');
  });

  it('shows the kept (best) dev accuracy, and the test split in the conditions training did not see', () => {
    const dipping: MetricsLine[] = [...metrics, { ...(metrics[5] as Extract<MetricsLine, { type: 'evaluation' }>), framesSeen: 4010, seconds: 4.5, devFrameAccuracy: 0.6 }];
    const html = reportPage({ ...run, metrics: dipping, summary: { threads: 2, testWer: 0.02, robustness: { telephone: 0.041, noisy10dB: 0.035 } } });
    expect(html).toMatch(/card-value">75\.00%<\/div><div class="card-label">dev frame accuracy<\/div><div class="card-note">the kept model, at 3\.01k frames</);
    expect(html).toContain('id="robustness"');
    expect(html).toMatch(/test WER, telephone.*4\.10%/s);
    expect(html).toMatch(/<td>noise at 10 dB<\/td><td class="num">3\.50%<\/td>/);
    expect(html).toMatch(/<td>clean<\/td><td class="num">2\.00%<\/td>/);
  });

  it('still makes a page of a run that has not reported anything yet', () => {
    const html = reportPage({ dir: 'r', metrics: [], config: null, checkpoint: null, summary: null, decode: null });
    expect(html.match(/no data yet/g)).toHaveLength(5);
    expect(html).toContain('the configuration is unknown');
  });
});
