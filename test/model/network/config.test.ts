import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeModelConfig } from '../../../src/model/network/config.js';

const valid = { inputs: 40, cells: 800, projection: 512, layers: 2, outputs: 14247 };

describe('decodeModelConfig', () => {
  it('fills in cellClip 50 and peepholes true', () => {
    expect(decodeModelConfig(valid)).toEqual(E.right({ ...valid, cellClip: 50, peepholes: true }));
  });

  it('reads a plain LSTM when projection is absent', () => {
    const { projection: _, ...lstm } = valid;
    expect(decodeModelConfig(lstm)).toEqual(E.right({ ...lstm, projection: 0, cellClip: 50, peepholes: true }));
  });

  it.each([
    [{ ...valid, cells: 0 }, 'cells'],
    [{ ...valid, cells: 2.5 }, 'cells'],
    [{ ...valid, inputs: '40' }, 'inputs'],
    [{ ...valid, projection: -1 }, 'projection'],
    [{ ...valid, layers: undefined }, 'layers'],
    [{ ...valid, cellClip: 0 }, 'cellClip'],
    [{ ...valid, cellClip: Infinity }, 'cellClip'],
    [{ ...valid, peepholes: 'yes' }, 'peepholes'],
    [{ ...valid, cels: 3 }, 'cels'],
  ])('rejects %j naming the field %s', (input, field) => {
    const decoded = decodeModelConfig(input);
    expect(E.isLeft(decoded)).toBe(true);
    if (E.isLeft(decoded)) {
      expect(decoded.left).toContain(field);
      expect(decoded.left).not.toContain('\n');
    }
  });

  it.each([null, 3, 'config', []])('rejects %j', (input) => {
    expect(E.isLeft(decodeModelConfig(input))).toBe(true);
  });

  it('refuses a network too large to hold, before building anything for it', () => {
    // 3 layers of 100,000 cells: 200 G parameters; a billion layers would take minutes to list.
    for (const input of [{ ...valid, cells: 100_000, layers: 3 }, { ...valid, layers: 1_000_000_000 }]) {
      expect(decodeModelConfig(input)).toEqual(E.left(expect.stringMatching(/^invalid config: .* has [\d,]+ parameters, more than lstmp holds \(268,435,456\)$/)));
    }
  });
});
