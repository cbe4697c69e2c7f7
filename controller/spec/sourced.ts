/**
 * A rendered document that remembers, for every value in it, where that value was written: in a
 * base document or in an overlay. Errors found in the rendered document are reported there (the
 * file and line a person edits), and `steady render` comments each value an overlay wrote.
 */
import type { SourceLocation } from './load.js';

/** A document as written: its file, and where a field of it is (the nearest parent when missing). */
export interface WrittenDoc {
  file: string;
  locate(path: ReadonlyArray<PropertyKey>, key?: boolean): SourceLocation;
}

/** Where a value of a rendered document was written. */
export interface Origin {
  doc: WrittenDoc;
  /** The value's path in `doc`. */
  path: PropertyKey[];
  /** Set when an overlay wrote the value: the environment it renders. */
  overlay?: string;
}

/** A field or list item an overlay removed (`jsonPatch` remove), for `steady render` to say so. */
export interface Removal {
  /** The key, or (in a list) the index or name the operation gave. */
  what: string;
  /** Removed from a list. */
  list?: true;
  at: SourceLocation;
}

export type Scalar = string | number | boolean | null;

export type Sourced =
  | { type: 'scalar'; value: Scalar; origin: Origin }
  | { type: 'map'; entries: Map<string, Sourced>; origin: Origin; removed?: Removal[] }
  | { type: 'seq'; items: Sourced[]; origin: Origin; removed?: Removal[] };

/**
 * A value (plain data, as YAML parsed it) with every part's origin: `path` and below in `doc`.
 *
 * @example
 * const root = sourced(baseData, baseDoc, []);               // a base document
 * const value = sourced(patch.merge, overlayDoc, ['spec', 'patches', 0, 'merge'], 'shop-staging');
 */
export function sourced(value: unknown, doc: WrittenDoc, path: PropertyKey[], overlay?: string): Sourced {
  const origin: Origin = { doc, path, ...(overlay === undefined ? {} : { overlay }) };
  if (Array.isArray(value)) return { type: 'seq', items: value.map((v, i) => sourced(v, doc, [...path, i], overlay)), origin };
  if (value !== null && typeof value === 'object') {
    return { type: 'map', entries: new Map(Object.entries(value).map(([k, v]) => [k, sourced(v, doc, [...path, k], overlay)])), origin };
  }
  return { type: 'scalar', value: value === undefined ? null : (value as Scalar), origin };
}

/** The plain data of a rendered value. */
export function plain(node: Sourced): unknown {
  if (node.type === 'seq') return node.items.map(plain);
  if (node.type === 'map') return Object.fromEntries([...node.entries].map(([k, v]) => [k, plain(v)]));
  return node.value;
}

/** The child of a map or list, if it has one at `segment`. */
export function child(node: Sourced, segment: PropertyKey): Sourced | undefined {
  if (node.type === 'map') return node.entries.get(String(segment));
  if (node.type === 'seq' && typeof segment === 'number') return node.items[segment];
  return undefined;
}

/**
 * Where the value at `path` of a rendered document was written. A path that goes past what the
 * rendered document holds (a missing field) is looked up below the deepest value it reaches, in
 * that value's own document, which falls back to the nearest parent that exists there.
 */
export function locateIn(root: Sourced, path: ReadonlyArray<PropertyKey>, key = false): SourceLocation {
  let node = root;
  let i = 0;
  for (; i < path.length; i++) {
    const next = child(node, path[i]);
    if (!next) break;
    node = next;
  }
  return node.origin.doc.locate([...node.origin.path, ...path.slice(i)], key);
}

/** A deep copy: patches change the copy, never the base that other overlays render too. */
export function cloneSourced(node: Sourced): Sourced {
  if (node.type === 'seq') return { ...node, items: node.items.map(cloneSourced), ...(node.removed ? { removed: [...node.removed] } : {}) };
  if (node.type === 'map') {
    return { ...node, entries: new Map([...node.entries].map(([k, v]) => [k, cloneSourced(v)])), ...(node.removed ? { removed: [...node.removed] } : {}) };
  }
  return { ...node };
}

/** One value an overlay wrote (the topmost: a list it replaced, not each of its items). */
export interface Change {
  path: PropertyKey[];
  at: SourceLocation;
}

/**
 * Every value an overlay wrote into a rendered document, and every field it removed, in document
 * order: what `steady render` comments.
 */
export function changesIn(root: Sourced): { changed: Change[]; removed: { path: PropertyKey[]; removal: Removal }[] } {
  const changed: Change[] = [];
  const removed: { path: PropertyKey[]; removal: Removal }[] = [];
  const walk = (node: Sourced, path: PropertyKey[], parentByOverlay: boolean) => {
    const byOverlay = node.origin.overlay !== undefined;
    if (byOverlay && !parentByOverlay) changed.push({ path, at: node.origin.doc.locate(node.origin.path, true) });
    for (const removal of (node.type === 'scalar' ? undefined : node.removed) ?? []) removed.push({ path, removal });
    if (node.type === 'map') for (const [k, v] of node.entries) walk(v, [...path, k], byOverlay);
    if (node.type === 'seq') node.items.forEach((v, i) => walk(v, [...path, i], byOverlay));
  };
  walk(root, [], false);
  return { changed, removed };
}
