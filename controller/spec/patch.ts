/**
 * The two kinds of patch an Overlay applies to a base document, on {@link Sourced} values so that
 * every value keeps the place it was written:
 *
 * - a strategic merge patch, shaped like the document: mappings merge key by key (so environment
 *   variables and secrets, which are mappings, merge by name), a list of `containers` merges item
 *   by item by `name` (a name the base does not have is an error: typos must not add containers),
 *   and every other value, lists included (subnets, commands), replaces the base's whole;
 * - JSON patch operations (RFC 6902 add, remove, replace) for what a merge cannot say: removing a
 *   field, adding a container. A list item may be named by its `name` instead of its index.
 *
 * Problems are reported at the overlay's line: the patch is what names the missing thing.
 */
import { quote, suggest } from './messages.js';
import type { JsonPatchOp } from './overlay-schema.js';
import { sourced, type Sourced, type WrittenDoc } from './sourced.js';

/** Lists whose items a merge patch matches by `name` rather than replacing the list whole. */
const KEYED_LISTS = new Set(['containers']);

/** Reports a problem at a path of the overlay document. */
export type PatchReport = (overlayPath: PropertyKey[], message: string) => void;

/** What a patch is applied with: the overlay document, the environment, where to say what is wrong. */
export interface PatchContext {
  overlay: WrittenDoc;
  environment: string;
  report: PatchReport;
  /** What the patched document is, for messages: `Service api`. */
  what: string;
}

/**
 * Merges `patch` (the overlay's value at `at`) into `target`; returns the merged value. `target`
 * is changed in place where it is a mapping or a keyed list.
 */
export function mergePatch(target: Sourced | undefined, patch: Sourced, at: PropertyKey[], ctx: PatchContext, key?: string): Sourced {
  if (patch.type === 'scalar' && patch.value === null) {
    ctx.report(at, 'an empty value in a merge patch; to remove a field, use a jsonPatch remove operation');
    return target ?? patch;
  }
  if (target?.type === 'map' && patch.type === 'map') {
    for (const [k, v] of patch.entries) target.entries.set(k, mergePatch(target.entries.get(k), v, [...at, k], ctx, k));
    return target;
  }
  if (key !== undefined && KEYED_LISTS.has(key) && target?.type === 'seq' && patch.type === 'seq') {
    mergeByName(target, patch, at, ctx);
    return target;
  }
  return patch;
}

function mergeByName(target: Extract<Sourced, { type: 'seq' }>, patch: Extract<Sourced, { type: 'seq' }>, at: PropertyKey[], ctx: PatchContext): void {
  const names = target.items.map(nameOf);
  const known = names.filter((n): n is string => n !== undefined);
  patch.items.forEach((item, i) => {
    const name = nameOf(item);
    if (name === undefined) {
      ctx.report([...at, i], 'a container in a merge patch is matched by its name: give its name');
      return;
    }
    const index = names.indexOf(name);
    if (index < 0) {
      const guess = suggest(name, known);
      const add = `to add a container, use a jsonPatch add to ${pointerOf(at)}/-`;
      ctx.report([...at, i, 'name'], `no container named ${quote(name)} in ${ctx.what} (it has: ${known.join(', ') || 'none'})${guess ? ` (did you mean ${quote(guess)}?)` : ''}; ${add}`);
      return;
    }
    // The name matched the item; it is not a change to it.
    const entries = item.type === 'map' ? [...item.entries].filter(([k]) => k !== 'name') : [];
    const rest: Sourced = { type: 'map', origin: item.origin, entries: new Map(entries) };
    target.items[index] = mergePatch(target.items[index], rest, [...at, i], ctx);
  });
}

function nameOf(node: Sourced | undefined): string | undefined {
  const name = node?.type === 'map' ? node.entries.get('name') : undefined;
  return name?.type === 'scalar' && typeof name.value === 'string' ? name.value : undefined;
}

/** `['spec', 'taskDefinition', 'containers']` of a merge patch -> `/spec/taskDefinition/containers` (its path in the document). */
function pointerOf(at: PropertyKey[]): string {
  const i = at.indexOf('merge');
  return `/${at.slice(i + 1).map(String).join('/')}`;
}

/**
 * Applies one JSON patch operation (written at `at` in the overlay) to `root`, in place. Returns
 * false, having reported why, when the operation cannot apply.
 */
export function applyJsonPatch(root: Sourced, op: JsonPatchOp, at: PropertyKey[], ctx: PatchContext): boolean {
  const segments = op.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const fail = (message: string) => {
    ctx.report([...at, 'path'], message);
    return false;
  };
  let parent = root;
  for (const [i, segment] of segments.slice(0, -1).entries()) {
    const next = step(parent, segment);
    if (!next) return fail(`${ctx.what} has nothing at ${shown(segments.slice(0, i + 1))}${listHint(parent, segment)}`);
    parent = next;
  }
  const last = segments[segments.length - 1];
  const value = () => sourced(op.value, ctx.overlay, [...at, 'value'], ctx.environment);
  const removal = () => ({ what: last, at: ctx.overlay.locate([...at, 'path']) });

  if (parent.type === 'map') {
    const exists = parent.entries.has(last);
    if (op.op !== 'add' && !exists) return fail(`${ctx.what} has no field at ${shown(segments)} to ${op.op}${didYouMean(last, [...parent.entries.keys()])}`);
    if (op.op === 'remove') {
      parent.entries.delete(last);
      (parent.removed ??= []).push(removal());
    } else {
      parent.entries.set(last, value());
    }
    return true;
  }
  if (parent.type === 'seq') {
    if (op.op === 'add' && (last === '-' || /^\d+$/.test(last))) {
      const index = last === '-' ? parent.items.length : Number(last);
      if (index > parent.items.length) return fail(`${shown(segments)} is past the end of a list of ${parent.items.length}`);
      parent.items.splice(index, 0, value());
      return true;
    }
    if (op.op === 'add') return fail(`add into a list takes an index or - (the end), not a name; to change the item ${quote(last)}, use replace`);
    const index = indexIn(parent, last);
    if (index === undefined) return fail(`${ctx.what} has nothing at ${shown(segments)} to ${op.op}${listHint(parent, last)}`);
    if (op.op === 'remove') {
      parent.items.splice(index, 1);
      (parent.removed ??= []).push({ ...removal(), list: true });
    } else {
      parent.items[index] = value();
    }
    return true;
  }
  return fail(`${ctx.what} has a value, not a mapping or list, at ${shown(segments.slice(0, -1))}`);
}

/** The child at one pointer segment: a key, a list index, or a list item's name. */
function step(node: Sourced, segment: string): Sourced | undefined {
  if (node.type === 'map') return node.entries.get(segment);
  if (node.type === 'seq') {
    const index = indexIn(node, segment);
    return index === undefined ? undefined : node.items[index];
  }
  return undefined;
}

function indexIn(list: Extract<Sourced, { type: 'seq' }>, segment: string): number | undefined {
  if (/^\d+$/.test(segment)) return Number(segment) < list.items.length ? Number(segment) : undefined;
  const index = list.items.findIndex((item) => nameOf(item) === segment);
  return index < 0 ? undefined : index;
}

function listHint(node: Sourced, segment: string): string {
  if (node.type === 'map') return didYouMean(segment, [...node.entries.keys()]);
  if (node.type !== 'seq') return '';
  const names = node.items.map(nameOf).filter((n): n is string => n !== undefined);
  if (names.length === 0) return ` (a list of ${node.items.length})`;
  return ` (the list has: ${names.join(', ')})${didYouMean(segment, names)}`;
}

function didYouMean(word: string, candidates: string[]): string {
  const guess = suggest(word, candidates);
  return guess && guess !== word ? ` (did you mean ${quote(guess)}?)` : '';
}

/** A pointer as the user wrote it, re-escaped. */
function shown(segments: string[]): string {
  return `/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}
