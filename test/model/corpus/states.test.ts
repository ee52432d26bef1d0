import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { SILENCE, STATES_PER_PHONE, formatStates, parseStateNames, parseStates, phoneIndices, stateId, stateInventory } from '../../../src/model/corpus/states.js';

const phoneName = fc.stringMatching(/^[a-zɪʊəɔː]{1,3}$/);

describe('stateInventory', () => {
  it('puts silence first, then the phones sorted, three states each named phone_k', () => {
    const inventory = stateInventory(['z', 'iə', 'sil', 'z', 'aɪ']);
    expect(inventory.phones).toEqual([SILENCE, 'aɪ', 'iə', 'z']);
    expect(inventory.names).toEqual(['sil_0', 'sil_1', 'sil_2', 'aɪ_0', 'aɪ_1', 'aɪ_2', 'iə_0', 'iə_1', 'iə_2', 'z_0', 'z_1', 'z_2']);
  });

  it('numbers phone p state k as 3p + k, the line of its name', () => {
    fc.assert(
      fc.property(fc.array(phoneName, { maxLength: 12 }), (phones) => {
        const inventory = stateInventory(phones);
        const index = phoneIndices(inventory);
        for (const phone of inventory.phones) {
          for (let k = 0; k < STATES_PER_PHONE; k++) expect(inventory.names[stateId(index.get(phone) as number, k)]).toBe(`${phone}_${k}`);
        }
        // the order does not depend on the order phones were met in
        expect(stateInventory([...phones].reverse())).toEqual(inventory);
      }),
    );
  });

  it('refuses a phone name with a space', () => {
    expect(() => stateInventory(['a b'])).toThrow(RangeError);
  });
});

describe('states.txt', () => {
  it('round-trips through formatStates and parseStates', () => {
    fc.assert(
      fc.property(fc.array(phoneName, { maxLength: 12 }), (phones) => {
        const inventory = stateInventory(phones);
        expect(parseStates(formatStates(inventory))).toEqual(E.right(inventory));
        expect(parseStateNames(formatStates(inventory))).toEqual(E.right(inventory.names));
      }),
    );
  });

  it('names the first line that breaks the phone structure', () => {
    expect(parseStates('sil_0\nsil_1\nsil_2\nz_0\nz_2\nz_1\n')).toEqual(E.left('line 5: expected a state "<phone>_1", got "z_2"'));
    expect(parseStates('sil_0\nsil_1\nsil_2\nz_0\nz_1\ns_2\n')).toEqual(E.left('line 6: expected a state of "z", got "s_2"'));
    expect(parseStates('z_0\nz_1\nz_2\n')).toEqual(E.left('line 1: the first phone must be "sil", got "z"'));
    expect(parseStates('sil_0\nsil_1\nsil_2\nsil_0\nsil_1\nsil_2\n')).toEqual(E.left('line 4: phone "sil" appears twice'));
    expect(parseStates('sil_0\nsil_1\n')).toEqual(E.left('2 states is not a multiple of 3'));
    expect(parseStates('')).toEqual(E.left('no states'));
  });

  it('reads any list of unique names as plain state names', () => {
    expect(parseStateNames('tone0\ntone1\n')).toEqual(E.right(['tone0', 'tone1']));
    expect(parseStateNames('a\nb c\n')).toEqual(E.left('line 2: expected a state name without spaces, got "b c"'));
    expect(parseStateNames('a\nb\na\n')).toEqual(E.left('line 3: the state "a" appears twice'));
  });
});
