import * as E from 'fp-ts/lib/Either.js';

/** Every phone, silence included, is a left-to-right HMM of this many states. */
export const STATES_PER_PHONE = 3;

/** The silence phone: the leading, trailing and between-word pauses. */
export const SILENCE = 'sil';

/**
 * The HMM states a model predicts, one output per state: phone p's state k
 * (0, 1, 2 from left to right) is output 3·p + k and is named `p_k`.
 * Silence is phone 0, the other phones follow in code-unit order, so the same
 * phone set always gives the same ids.
 */
export interface StateInventory {
  /** Phone names by phone index; phones[0] is {@link SILENCE}. */
  readonly phones: readonly string[];
  /** State names by state id: `sil_0`, `sil_1`, `sil_2`, `aɪ_0`, … */
  readonly names: readonly string[];
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** True when `phone` can name states: non-empty, no whitespace. */
export function isPhoneName(phone: string): boolean {
  return phone.length > 0 && !/\s/.test(phone);
}

/**
 * The inventory of `phones` (in any order, repeats and silence allowed):
 * silence first, then the rest sorted.
 *
 * @example stateInventory(['z', 'iə']).names // ['sil_0', 'sil_1', 'sil_2', 'iə_0', 'iə_1', 'iə_2', 'z_0', 'z_1', 'z_2']
 */
export function stateInventory(phones: Iterable<string>): StateInventory {
  const others = new Set<string>();
  for (const phone of phones) {
    if (!isPhoneName(phone)) throw new RangeError(`not a phone name: ${JSON.stringify(phone)}`);
    if (phone !== SILENCE) others.add(phone);
  }
  const ordered = [SILENCE, ...[...others].sort(byCodeUnits)];
  return { phones: ordered, names: ordered.flatMap((phone) => stateNames(phone)) };
}

function stateNames(phone: string): string[] {
  return Array.from({ length: STATES_PER_PHONE }, (_, k) => `${phone}_${k}`);
}

/** The id of phone `phoneIndex`'s state `k`. */
export function stateId(phoneIndex: number, k: number): number {
  return phoneIndex * STATES_PER_PHONE + k;
}

/** Phone name → phone index in `inventory`. */
export function phoneIndices(inventory: StateInventory): ReadonlyMap<string, number> {
  return new Map(inventory.phones.map((phone, index) => [phone, index]));
}

/** states.txt: one state name per line, line n (from 0) naming state id n. */
export function formatStates(inventory: StateInventory): string {
  return inventory.names.map((name) => `${name}\n`).join('');
}

/**
 * Reads states.txt back as an inventory. Every phone must have exactly its states `_0`, `_1`,
 * `_2` on consecutive lines, silence first; the first wrong line is named.
 */
export function parseStates(text: string): E.Either<string, StateInventory> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return E.left('no states');
  if (lines.length % STATES_PER_PHONE !== 0) return E.left(`${lines.length} states is not a multiple of ${STATES_PER_PHONE}`);
  const phones: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const match = /^(.+)_(\d+)$/.exec(lines[i]);
    const k = i % STATES_PER_PHONE;
    if (!match || !isPhoneName(match[1]) || Number(match[2]) !== k) {
      return E.left(`line ${i + 1}: expected a state "<phone>_${k}", got ${JSON.stringify(lines[i])}`);
    }
    const phone = match[1];
    if (k === 0) {
      if (seen.has(phone)) return E.left(`line ${i + 1}: phone "${phone}" appears twice`);
      if (i === 0 && phone !== SILENCE) return E.left(`line 1: the first phone must be "${SILENCE}", got "${phone}"`);
      seen.add(phone);
      phones.push(phone);
    } else if (phone !== phones[phones.length - 1]) {
      return E.left(`line ${i + 1}: expected a state of "${phones[phones.length - 1]}", got ${JSON.stringify(lines[i])}`);
    }
  }
  return E.right({ phones, names: lines });
}

/**
 * Reads any list of state names, one per line (a Kaldi system's pdf names,
 * say): what training needs. Names must be unique and without whitespace.
 * Decoding needs the phone structure of {@link parseStates}.
 */
export function parseStateNames(text: string): E.Either<string, string[]> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return E.left('no states');
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    if (!isPhoneName(lines[i])) return E.left(`line ${i + 1}: expected a state name without spaces, got ${JSON.stringify(lines[i])}`);
    if (seen.has(lines[i])) return E.left(`line ${i + 1}: the state "${lines[i]}" appears twice`);
    seen.add(lines[i]);
  }
  return E.right(lines);
}
