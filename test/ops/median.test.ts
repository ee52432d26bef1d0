import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { median } from '../../src/ops/median.js';

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  test.prop([fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 30 })])('has as many values at or below it as at or above it, whatever their order', (values) => {
    const m = median(values);
    expect(values.filter((v) => v <= m).length).toBeGreaterThanOrEqual(values.length / 2);
    expect(values.filter((v) => v >= m).length).toBeGreaterThanOrEqual(values.length / 2);
    expect(median([...values].reverse())).toBe(m);
  });
});
