/** The canonical form ECS's "not set" has many spellings of: shared by task definitions and service settings. */

export type Obj = Record<string, unknown>;
export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/**
 * A `tidy(value, field)` that removes undefined and null, empty lists and empty objects (all mean
 * "not set" to ECS), and puts each non-empty list in canonical order with `order(field, items)`
 * (`field` is the name the list is found under).
 *
 * @example
 * const tidy = tidyWith((field, items) => (field === 'alarmNames' ? [...items].sort() : items));
 * tidy({ alarmNames: ['b', 'a'], tags: [], role: null }) // { alarmNames: ['a', 'b'] }
 */
export function tidyWith(order: (field: string, items: unknown[]) => unknown[]): (value: unknown, field?: string) => unknown {
  const tidy = (value: unknown, field = ''): unknown => {
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) {
      const items = value.map((v) => tidy(v, field)).filter((v) => v !== undefined);
      return items.length === 0 ? undefined : order(field, items);
    }
    if (isObject(value)) {
      const out: Obj = {};
      for (const [k, v] of Object.entries(value)) {
        const t = tidy(v, k);
        if (t !== undefined) out[k] = t;
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    return value;
  };
  return tidy;
}
