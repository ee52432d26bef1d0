import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeRunSummary } from '../../../src/model/formats/run-summary.js';

describe('decodeRunSummary', () => {
  it("reads the main job's summary, and one with fields it does not know", () => {
    const summary = { devFrameAccuracy: 0.8, testWer: null, frames: 1e6, trainSeconds: 420, threads: 2, config: { cells: 128 }, later: true };
    expect(decodeRunSummary(JSON.stringify(summary))).toEqual(E.right(summary));
  });

  it('says what is wrong', () => {
    expect(decodeRunSummary('nope')).toEqual(E.left('not JSON'));
    expect(decodeRunSummary('[]')).toEqual(E.left('not a JSON object'));
    const bad = decodeRunSummary('{"frames":"many"}');
    expect(E.isLeft(bad) && bad.left).toMatch(/^frames must be number/);
  });
});
