import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { decodeJson, parseJson } from '../../src/model/codec.js';

describe('JSON through a codec', () => {
  const Point = t.type({ x: t.number });

  it('decodes what the codec accepts', () => {
    expect(decodeJson(Point, '{"x": 3}')).toEqual(E.right({ x: 3 }));
    expect(parseJson('[1]')).toEqual(E.right([1]));
  });

  it('says "not JSON", or names the bad field', () => {
    expect(decodeJson(Point, '{x: 3}')).toEqual(E.left('not JSON'));
    expect(decodeJson(Point, '{"x": "3"}')).toEqual(E.left('x must be number (got "3")'));
  });
});
