import fc from 'fast-check';
import { lastValueFrom, map, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { conditionOf } from '../../../src/model/augmentation/conditions.js';
import { NO_CHANGE } from '../../../src/model/augmentation/draw.js';
import { AUGMENTATION_DEFAULTS } from '../../../src/model/augmentation/plan.js';
import { encodeWav } from '../../../src/ops/codecs/wav.js';
import { frameCount } from '../../../src/ops/dsp/fbank.js';
import { mulberry32 } from '../../../src/ops/random.js';
import { applyAugmentation, augment } from '../../../src/streams/pipeline/augment.js';
import type { AudioUtterance } from '../../../src/streams/pipeline/features.js';
import { waveforms, type WaveformUtterance } from '../../../src/streams/pipeline/waveforms.js';
import { errorLike, runMarbles } from '../../../src/testing/marbles.js';

/** An utterance of tones, `seconds` long, with an alignment that counts up every 20 frames. */
function utterance(id: string, seconds = 1.2): WaveformUtterance {
  const random = mulberry32(id.length * 7919 + Math.round(seconds * 1000));
  const samples = Float32Array.from({ length: Math.round(16000 * seconds) }, (_, i) => 0.3 * Math.sin(i * 0.07) + 0.01 * (random() - 0.5));
  const alignment = Int32Array.from({ length: frameCount(samples.length) }, (_, t) => Math.floor(t / 20));
  return { id, source: `${id}.wav`, samples, alignment };
}

const ids = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];

describe('applyAugmentation', () => {
  it('leaves an utterance as it is when nothing is drawn', () => {
    const u = utterance('a');
    const same = applyAugmentation(u, NO_CHANGE);
    expect(same.samples).toEqual(u.samples);
    expect(same.alignment).toEqual(u.alignment);
    expect(same.warp).toBeUndefined();
    expect(same.masks).toBeUndefined();
  });

  it('keeps the alignment in step with the audio whatever is drawn: a label for every frame, never going back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 5 }), fc.double({ min: 0.4, max: 2, noNaN: true }), (seed, epoch, seconds) => {
        const u = utterance(`s${seed}`, seconds);
        const out = applyAugmentation(u, conditionOf('clean', u.id));
        const drawn = [applyAugmentation(u, conditionOf('reverb', u.id)), applyAugmentation(u, conditionOf('telephone', u.id)), out];
        const augmented = lastValueFromSync(u, seed, epoch);
        for (const v of [...drawn, augmented]) {
          expect(v.alignment.length).toBe(frameCount(v.samples.length));
          for (let t = 1; t < v.alignment.length; t++) expect(v.alignment[t]).toBeGreaterThanOrEqual(v.alignment[t - 1]);
          expect(v.samples.every(Number.isFinite)).toBe(true);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('passes an utterance whose alignment does not fit its audio unchanged, for features to refuse', () => {
    const u = { ...utterance('a'), alignment: new Int32Array(3) };
    expect(applyAugmentation(u, conditionOf('telephone', 'a'))).toBe(u);
  });
});

/** The utterance through `augment` with every augmentation on, synchronously. */
function lastValueFromSync(u: WaveformUtterance, seed: number, epoch: number): WaveformUtterance {
  let out: WaveformUtterance | undefined;
  of(u).pipe(augment(AUGMENTATION_DEFAULTS, { seed, epoch })).subscribe((v) => (out = v));
  return out as WaveformUtterance;
}

describe('augment', () => {
  it('draws each utterance from (seed, id, epoch) alone: the same whatever comes before it or which thread it is on', async () => {
    const all = ids.map((id) => utterance(id));
    const inOrder = await lastValueFrom(of(...all).pipe(augment(AUGMENTATION_DEFAULTS, { seed: 3, epoch: 1 }), toArray()));
    // another thread's share, in another order
    const shuffled = await lastValueFrom(of(all[4], all[1], all[5]).pipe(augment(AUGMENTATION_DEFAULTS, { seed: 3, epoch: 1 }), toArray()));
    expect(shuffled.map((u) => u.samples)).toEqual([inOrder[4].samples, inOrder[1].samples, inOrder[5].samples]);
    expect(shuffled.map((u) => u.alignment)).toEqual([inOrder[4].alignment, inOrder[1].alignment, inOrder[5].alignment]);
    // a new epoch hears every utterance anew; another seed too
    const next = await lastValueFrom(of(...all).pipe(augment(AUGMENTATION_DEFAULTS, { seed: 3, epoch: 2 }), toArray()));
    const other = await lastValueFrom(of(...all).pipe(augment(AUGMENTATION_DEFAULTS, { seed: 4, epoch: 1 }), toArray()));
    for (let i = 0; i < all.length; i++) {
      expect(next[i].samples).not.toEqual(inOrder[i].samples);
      expect(other[i].samples).not.toEqual(inOrder[i].samples);
    }
  });

  it('routes an error thrown while augmenting to the subscriber, and unsubscribes its source', () => {
    const broken = { ...utterance('a'), samples: undefined as unknown as Float32Array };
    runMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', { a: utterance('x'), b: broken, c: utterance('y') });
      const augmented = source.pipe(augment({ ...AUGMENTATION_DEFAULTS, speed: { probability: 0, factor: [1, 1] } }, { seed: 1, epoch: 0 }), map((u) => u.id));
      expectObservable(augmented).toBe('a-#', { a: 'x' }, errorLike(TypeError));
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });
});

describe('waveforms', () => {
  const wav = (id: string, bytes: Uint8Array): AudioUtterance => ({ id, source: `${id}.wav`, wav: bytes, alignment: new Int32Array(frameCount(8000)) });

  it('decodes WAV bytes to 16 kHz samples, the alignment kept, and skips an unreadable one naming it', () => {
    const skipped: { id: string; reason: string }[] = [];
    const good = wav('good', encodeWav(new Float32Array(8000), 16000));
    const eight = wav('eight', encodeWav(new Float32Array(4000), 8000));
    const bad = wav('bad', Uint8Array.from([1, 2, 3]));
    runMarbles(({ cold, expectObservable }) => {
      const out = cold('a-b-c|', { a: good, b: bad, c: eight }).pipe(
        waveforms({ skipped: { next: (s) => skipped.push(s) } }),
        map((u) => [u.id, u.samples.length, u.alignment === good.alignment || u.alignment === eight.alignment]),
      );
      // 8 kHz audio comes out at 16 kHz
      expectObservable(out).toBe('a---c|', { a: ['good', 8000, true], c: ['eight', 8000, true] });
    });
    expect(skipped).toEqual([{ id: 'bad', reason: expect.stringMatching(/^bad\.wav: /) }]);
  });

  it('with strict, ends the stream with an error naming the utterance and its file', () => {
    runMarbles(({ cold, expectObservable }) => {
      const out = cold('a|', { a: wav('bad', Uint8Array.from([1, 2, 3])) }).pipe(waveforms({ strict: true }));
      expectObservable(out).toBe('#', undefined, errorLike(InputError, /^utterance bad: bad\.wav: /));
    });
  });
});

describe('applyAugmentation: noise', () => {
  it('lands at its SNR over the speech, not over the silence around it (within 0.5 dB)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 0.6, noNaN: true }), fc.double({ min: 0.1, max: 0.6, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }), fc.integer(), (lead, trail, snrDb, seed) => {
        const [a, b] = [Math.round(16000 * lead), Math.round(16000 * (lead + 1))];
        const samples = Float32Array.from({ length: b + Math.round(16000 * trail) }, (_, i) => (i >= a && i < b ? 0.3 * Math.sin(i * 0.07) : 0));
        const clean: WaveformUtterance = { id: 'padded', source: 'padded.wav', samples, alignment: new Int32Array(frameCount(samples.length)) };
        const noisy = applyAugmentation(clean, { ...NO_CHANGE, noise: { kind: 'white', snrDb, seed, talkers: [] } }).samples;
        let speech = 0;
        let added = 0;
        for (let i = a; i < b; i++) {
          speech += samples[i] ** 2;
          added += (noisy[i] - samples[i]) ** 2;
        }
        expect(Math.abs(10 * Math.log10(speech / added) - snrDb)).toBeLessThan(0.5);
      }),
      { numRuns: 30 },
    );
  });
});
