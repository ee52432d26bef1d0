import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { pack } from 'msgpackr';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../../src/model/formats/checkpoint.js';
import { decodeModelConfig, type ModelConfig } from '../../../src/model/network/config.js';
import { addTrainingUtterance, decodingStatistics, estimateDecodingModel } from '../../../src/model/decoding/decoding-model.js';
import { lexicon } from '../../../src/model/corpus/lexicon.js';
import { initParameters } from '../../../src/model/network/init.js';
import { layoutOf } from '../../../src/model/network/layout.js';
import { encodeTensors, plainMsgpack } from '../../../src/model/formats/tensors.js';
import { loadCheckpoint, saveCheckpoint } from '../../../src/streams/io/checkpoint-file.js';
import { lstmpSpec } from '../../../src/testing/arbitraries.js';

const config: ModelConfig = { inputs: 3, cells: 4, projection: 2, layers: 2, outputs: 5, cellClip: 50, peepholes: true };

function sample(seed = 7): Checkpoint {
  return { config, parameters: initParameters(config, seed) };
}

function refusal(bytes: Uint8Array): string {
  const decoded = decodeCheckpoint(bytes);
  if (E.isRight(decoded)) throw new Error('expected a refusal');
  return decoded.left;
}

/** The checkpoint map of `ck` with `edit` applied, packed by plain msgpack. */
function edited(edit: (map: Record<string, unknown>) => void, ck = sample()): Uint8Array {
  const map = plainMsgpack.unpack(encodeCheckpoint(ck)) as Record<string, unknown>;
  edit(map);
  return plainMsgpack.pack(map);
}

const tensorsOf = (map: Record<string, unknown>) => map.tensors as Record<string, { shape: number[]; data: Uint8Array }>;

const specArbitrary: fc.Arbitrary<ModelConfig> = lstmpSpec({ maxInputs: 4, maxCells: 4, maxProjection: 3, minOutputs: 1, cellClip: fc.double({ min: 0.5, max: 1e30, noNaN: true }) });

const checkpointArbitrary: fc.Arbitrary<Checkpoint> = specArbitrary.chain((spec) => {
  const n = layoutOf(spec).size;
  // msgpack has no integer -0 and msgpackr writes -0 as the integer 0: harmless for sums, so not generated.
  const doubles = (length: number) =>
    fc.float64Array({ minLength: length, maxLength: length, noNaN: true, noDefaultInfinity: true }).map((a) => a.map((v) => v + 0));
  const floats = (length: number) => fc.float32Array({ minLength: length, maxLength: length, noNaN: true, noDefaultInfinity: true });
  return fc.record(
    {
      config: fc.constant(spec),
      parameters: floats(n),
      training: fc.record({ framesSeen: fc.nat(), updates: fc.nat(), epoch: fc.nat() }),
      cmvn: fc.record({ count: fc.integer({ min: 1 }), sum: doubles(spec.inputs), sumSquares: doubles(spec.inputs) }),
      priors: floats(spec.outputs),
      states: fc.array(fc.string(), { minLength: spec.outputs, maxLength: spec.outputs }),
      delay: fc.nat(10),
      extra: fc.dictionary(fc.constantFrom('lexicon', 'notes', 'x'), fc.oneof(fc.string(), fc.integer(), fc.array(fc.string()))),
    },
    { requiredKeys: ['config', 'parameters'] },
  );
});

function bits(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

describe('checkpoint codec', () => {
  it('round-trips any checkpoint bit for bit, extras included', () => {
    fc.assert(
      fc.property(checkpointArbitrary, (ck) => {
        const decoded = decodeCheckpoint(encodeCheckpoint(ck));
        if (E.isLeft(decoded)) throw new Error(decoded.left);
        const back = decoded.right;
        expect(back.config).toEqual(ck.config);
        expect(bits(back.parameters)).toEqual(bits(ck.parameters));
        expect(back.training).toEqual(ck.training);
        expect(back.cmvn).toEqual(ck.cmvn);
        if (ck.priors) expect(bits(back.priors!)).toEqual(bits(ck.priors));
        expect(back.states).toEqual(ck.states);
        expect(back.delay).toEqual(ck.delay);
        expect(back.extra).toEqual(ck.extra && Object.keys(ck.extra).length > 0 ? ck.extra : undefined);
        expect(encodeCheckpoint(back)).toEqual(encodeCheckpoint(ck));
      }),
      { numRuns: 60 },
    );
  });

  it('writes plain MessagePack: maps, and tensor data as bin of little-endian float32', () => {
    const bytes = encodeCheckpoint(sample());
    const map = plainMsgpack.unpack(bytes) as Record<string, unknown>;
    expect(Object.keys(map)).toEqual(['format', 'version', 'config', 'tensors']);
    expect(map.config).toEqual(config);
    const wx = tensorsOf(map)['layer0.Wx'];
    expect(wx.shape).toEqual([16, 3]);
    expect(wx.data).toBeInstanceOf(Uint8Array);
    const view = new DataView(wx.data.buffer, wx.data.byteOffset, wx.data.byteLength);
    expect(view.getFloat32(4, true)).toBe(sample().parameters[1]);
    // No msgpackr extension (fixext/ext 0xc7-0xc9, 0xd4-0xd8) anywhere before the first bin: tensors are raw bin 8/16/32.
    const firstBin = bytes.findIndex((b) => b === 0xc4 || b === 0xc5 || b === 0xc6);
    expect(bytes.subarray(0, firstBin).some((b) => (b >= 0xc7 && b <= 0xc9) || (b >= 0xd4 && b <= 0xd8))).toBe(false);
  });

  it('loads a minimal file written by another MessagePack encoder', () => {
    const layout = layoutOf(config);
    const params = initParameters(config, 3);
    const tensors = Object.fromEntries(
      Object.entries(encodeTensors(layout, params)).map(([name, t]) => [name, { shape: t.shape, data: Buffer.from(t.data) }]),
    );
    const minimal = pack({ format: 'lstmp-checkpoint', version: 1, config: { inputs: 3, cells: 4, projection: 2, layers: 2, outputs: 5 }, tensors });
    expect(decodeCheckpoint(minimal)).toEqual(E.right({ config, parameters: params }));
  });

  it('keeps unknown top-level fields without letting them override known ones', () => {
    const bytes = encodeCheckpoint({ ...sample(), extra: { lexicon: { a: ['AH'] }, format: 'evil' } });
    const back = decodeCheckpoint(bytes);
    expect(E.isRight(back) && back.right.extra).toEqual({ lexicon: { a: ['AH'] } });
  });

  it.each<[string, (map: Record<string, unknown>) => void, string]>([
    ['another format', (m) => (m.format = 'lstmp-gradients'), 'not an lstmp checkpoint (format is "lstmp-gradients")'],
    ['no format', (m) => delete m.format, 'not an lstmp checkpoint (format is missing)'],
    ['a newer version', (m) => (m.version = 2), 'unsupported checkpoint version 2 (this lstmp reads version 1)'],
    ['no config', (m) => delete m.config, 'no config'],
    ['a bad config', (m) => ((m.config as ModelConfig & { cells: number }).cells = 0), 'invalid config: cells must be a whole number ≥ 1 (got 0)'],
    ['an unknown config field', (m) => ((m.config as Record<string, unknown>).cels = 4), 'unknown config field "cels"'],
    ['no tensors', (m) => delete m.tensors, 'no tensors'],
    ['tensors not a map', (m) => (m.tensors = [1, 2]), 'tensors is not a map'],
    ['a missing tensor', (m) => delete tensorsOf(m)['layer1.Wrm'], 'missing tensor layer1.Wrm'],
    ['an unexpected tensor', (m) => (tensorsOf(m)['layer2.Wx'] = tensorsOf(m)['layer1.Wx']), 'unexpected tensor layer2.Wx'],
    ['a mis-shaped tensor', (m) => (tensorsOf(m)['output.Wyr'].shape = [2, 5]), 'tensor output.Wyr has shape [2, 5], expected [5, 2]'],
    ['a short tensor', (m) => (tensorsOf(m)['output.by'].data = tensorsOf(m)['output.by'].data.subarray(0, 16)), 'tensor output.by holds 16 bytes, shape [5] needs 20'],
    ['a tensor without data', (m) => delete (tensorsOf(m)['layer0.b'] as { data?: unknown }).data, 'tensor layer0.b is malformed (want {shape: [whole numbers], data: bin})'],
    ['data as an array', (m) => ((tensorsOf(m)['layer0.b'] as { data: unknown }).data = [0, 0]), 'tensor layer0.b is malformed (want {shape: [whole numbers], data: bin})'],
    [
      'several problems',
      (m) => {
        delete tensorsOf(m)['layer0.Wx'];
        delete tensorsOf(m)['layer0.Wr'];
        tensorsOf(m).extra = tensorsOf(m)['output.by'];
        tensorsOf(m)['output.by'].shape = [6];
      },
      'missing tensors layer0.Wx, layer0.Wr; unexpected tensor extra; tensor output.by has shape [6], expected [5]',
    ],
    ['a bad training position', (m) => (m.training = { framesSeen: -1, updates: 0, epoch: 0 }), 'training.framesSeen must be a whole number ≥ 0 (got -1)'],
    ['a negative delay', (m) => (m.delay = -1), 'delay must be a whole number ≥ 0 (got -1)'],
    ['states of the wrong count', (m) => (m.states = ['a']), 'states names 1 states, the config has 5 outputs'],
    ['priors of the wrong size', (m) => (m.priors = { shape: [4], data: new Uint8Array(16) }), 'tensor priors has shape [4], expected [5]'],
    ['cmvn without sums of squares', (m) => (m.cmvn = { count: 1, sum: [0, 0, 0] }), 'cmvn.sumSquares must be Array<number> (got nothing)'],
    ['cmvn of the wrong size', (m) => (m.cmvn = { count: 1, sum: [0, 0], sumSquares: [0, 0] }), 'cmvn sums must hold 3 values each, one per input'],
    // Statistics of no frames normalise nothing: a network trained on normalised features would score 1 % on raw ones.
    ['cmvn of no frames', (m) => (m.cmvn = { count: 0, sum: [0, 0, 0], sumSquares: [0, 0, 0] }), 'cmvn.count must be a whole number ≥ 1 (got 0)'],
  ])('refuses %s', (_, edit, message) => {
    expect(refusal(edited(edit))).toBe(message);
  });

  it.each([NaN, Infinity, -Infinity])('refuses a tensor holding %s, naming it', (bad) => {
    const ck = sample();
    const slot = layoutOf(config).tensors.find((s) => s.name === 'layer1.peephole')!;
    ck.parameters[slot.offset + 2] = bad;
    expect(refusal(encodeCheckpoint(ck))).toBe('tensor layer1.peephole holds NaN or Inf values');
    expect(refusal(encodeCheckpoint({ ...sample(), priors: Float32Array.of(0.2, 0.2, bad, 0.2, 0.2) }))).toBe('tensor priors holds NaN or Inf values');
  });

  it.each<[string, Uint8Array, string]>([
    ['empty input', new Uint8Array(0), 'truncated (unexpected end of data)'],
    ['a number', pack(42), 'not an lstmp checkpoint (not a map)'],
    ['an array', pack([1, 2]), 'not an lstmp checkpoint (not a map)'],
    ['a bin', pack(Buffer.from([1, 2])), 'not an lstmp checkpoint (not a map)'],
    ['trailing bytes', Uint8Array.from([...encodeCheckpoint(sample()), 0]), 'trailing bytes after the data'],
    ['a reserved byte', Uint8Array.of(0xc1), 'not an lstmp checkpoint (not a map)'],
    ['a msgpackr timestamp', Uint8Array.of(0xd6, 0xff, 0, 0, 0, 1), 'not an lstmp checkpoint (not a map)'],
    ['an unknown extension', Uint8Array.of(0xd4, 0x01, 0), 'corrupt (not valid MessagePack: Unknown extension 1)'],
    ['a huge array header', Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff), 'truncated (unexpected end of data)'],
    ['invalid UTF-8 in a key', Uint8Array.of(0x81, 0xa1, 0xff, 0x01), 'not an lstmp checkpoint (format is missing)'],
  ])('refuses %s', (_, bytes, message) => {
    expect(refusal(bytes)).toBe(message);
  });

  it('refuses a file cut anywhere as truncated', () => {
    const bytes = encodeCheckpoint({ ...sample(), training: { framesSeen: 10, updates: 2, epoch: 0 }, priors: new Float32Array(5).fill(0.2) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (cut) => {
        expect(refusal(bytes.subarray(0, cut))).toBe('truncated (unexpected end of data)');
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on flipped, cut or random bytes, and refusals are one short line', () => {
    const bytes = encodeCheckpoint({ ...sample(), training: { framesSeen: 10, updates: 2, epoch: 0 }, states: ['a', 'b', 'c', 'd', 'e'] });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat()),
        (flips, cut) => {
          const damaged = bytes.slice(0, cut === null ? undefined : cut % (bytes.length + 1));
          for (const [at, value] of flips) if (damaged.length > 0) damaged[at % damaged.length] = value;
          const decoded = decodeCheckpoint(damaged);
          if (E.isLeft(decoded)) expect(decoded.left).toMatch(/^[^\n]{1,300}$/);
          else expect(decoded.right.parameters.length).toBe(layoutOf(decoded.right.config).size);
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (random) => {
        const decoded = decodeCheckpoint(random);
        expect(E.isLeft(decoded)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the decoding field', () => {
  /** A decoding model for sample()'s 5 outputs, estimated from one utterance. */
  function withDecoding(): Checkpoint {
    const stats = decodingStatistics({ phones: ['sil', 'a'], names: ['s0', 's1', 's2', 's3', 's4'] }, lexicon([{ word: 'x', phones: ['a'] }]));
    addTrainingUtterance(stats, Int32Array.of(0, 1, 2, 3, 3, 4, 0), ['x']);
    return { ...sample(), decoding: estimateDecodingModel(stats) };
  }

  it('round-trips, written as a map beside the others', () => {
    const ck = withDecoding();
    const bytes = encodeCheckpoint(ck);
    expect(Object.keys(plainMsgpack.unpack(bytes) as object)).toContain('decoding');
    expect(decodeCheckpoint(bytes)).toEqual(E.right(ck));
  });

  it('refuses a broken one, saying so', () => {
    const bytes = edited((m) => ((m.decoding as Record<string, unknown>).transitions = 3), withDecoding());
    expect(refusal(bytes)).toBe('decoding: tensor transitions is malformed (want {shape: [whole numbers], data: bin})');
  });
});

describe('checkpoint files', () => {
  it('saves atomically and loads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lstmp-ck-'));
    const path = join(dir, 'ck.msgpack');
    saveCheckpoint(path, sample(5));
    expect(readdirSync(dir)).toEqual(['ck.msgpack']);
    expect(loadCheckpoint(path)).toEqual(sample(5));
    expect(new Uint8Array(readFileSync(path))).toEqual(new Uint8Array(encodeCheckpoint(sample(5))));
  });

  it('fails with the path and the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lstmp-ck-'));
    const path = join(dir, 'bad.msgpack');
    writeFileSync(path, encodeCheckpoint(sample()).subarray(0, 100));
    expect(() => loadCheckpoint(path)).toThrow(new InputError(`${path}: truncated (unexpected end of data)`));
    expect(() => loadCheckpoint(join(dir, 'none'))).toThrow(new InputError(`${join(dir, 'none')}: no such file`));
  });
});

it('decodes the config the same way decodeModelConfig does', () => {
  expect(decodeModelConfig(config)).toEqual(E.right(config));
});
