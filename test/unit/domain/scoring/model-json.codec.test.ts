import { describe, expect, it } from 'vitest';
import {
  decodeModelJson,
  encodeModelJson,
  ModelJsonError,
} from '../../../../shared/domain/scoring/model-json.codec.ts';

describe('model JSON codec', () => {
  it('round-trips typed arrays and non-finite numbers exactly, which plain JSON loses', () => {
    const model = {
      weights: Float64Array.from([0.5, -1.25, Number.POSITIVE_INFINITY]),
      nodes: Int32Array.from([1, -1, 3]),
      bins: Uint8Array.from([0, 255]),
      threshold: Number.NEGATIVE_INFINITY,
      nested: [{ v: Number.NaN, text: 'x' }],
    };
    const back = decodeModelJson(encodeModelJson(model)) as typeof model;
    expect(back.weights).toBeInstanceOf(Float64Array);
    expect(Array.from(back.weights)).toEqual([0.5, -1.25, Number.POSITIVE_INFINITY]);
    expect(back.nodes).toEqual(model.nodes);
    expect(back.bins).toEqual(model.bins);
    expect(back.threshold).toBe(Number.NEGATIVE_INFINITY);
    expect(back.nested[0]?.v).toBeNaN();
    expect(JSON.parse(JSON.stringify(model)).weights).not.toBeInstanceOf(Float64Array);
  });

  it('refuses a tampered tag', () => {
    expect(() => decodeModelJson('{"a":{"$num":"lots"}}')).toThrow(ModelJsonError);
    expect(() => decodeModelJson('{"a":{"$f64":3}}')).toThrow(ModelJsonError);
  });
});
