import { describe, expect, it } from 'vitest';
import { isObject, tidyWith } from './tidy.js';

describe('tidy: the many spellings of "not set" are one', () => {
  const tidy = tidyWith((field, items) => (field === 'names' ? [...items].sort() : items));

  it('removes undefined, null, empty lists and empty objects at every level, and list items that come to nothing', () => {
    expect(tidy({ a: null, b: undefined, c: [], d: {}, e: { f: null, g: [null, {}, [], undefined] }, h: [null, 'x', { i: null }, 0, false, ''] })).toStrictEqual({ h: ['x', 0, false, ''] });
    expect(tidy(null)).toBeUndefined();
    expect(tidy([null, {}])).toBeUndefined();
  });

  it('orders each list by the field it is found under, a top-level list by no field', () => {
    expect(tidy({ names: ['b', 'a'], other: ['b', 'a'] })).toStrictEqual({ names: ['a', 'b'], other: ['b', 'a'] });
    const seen: string[] = [];
    tidyWith((field, items) => (seen.push(field), items))([['x']]);
    expect(seen).toEqual(['', '']);
  });

  it('keeps a date as a value, not an empty object', () => {
    const at = new Date('2026-01-01T00:00:00Z');

    expect(tidy({ at })).toStrictEqual({ at });
    expect(isObject(at)).toBe(false);
    expect(isObject([])).toBe(false);
    expect(isObject(null)).toBe(false);
    expect(isObject({})).toBe(true);
  });
});
