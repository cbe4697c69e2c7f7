/**
 * What the spec language can say about a task definition, in ECS's terms, and the content a spec
 * asks for. This is the ONE place that maps the spec's `taskDefinition` onto RegisterTaskDefinition:
 *
 * - which fields the spec can express is derived from the schema (`controller/spec/schema.ts`), so
 *   a field added to `taskDefinitionSchema` or `containerSchema` under its ECS name is expressible,
 *   and reaches the registered content, with no change here;
 * - the few differences between the two are listed below: spec fields that are steady's own
 *   (`SPEC_ONLY`), the spec's `containers` that ECS calls `containerDefinitions`, and `NAME: value`
 *   maps the spec writes where ECS takes lists (`environment`, `secrets`, `logConfiguration.secretOptions`);
 * - fields that do not apply to Fargate are in the schema only to be refused (`notOnFargate`), so they
 *   are never expressible.
 *
 * Content of a running revision outside what the spec can express is never dropped: a revision built
 * from the spec would lose it, so the resource is Blocked (`unexpressibleFields`). Pure.
 */
import type { z } from 'zod';
import { canonicalTaskDefinition, LIST_KEYS, listKeys, type TaskDefinitionContent } from '../model/taskdef.js';
import { isNotOnFargate } from '../spec/ecs-fields.js';
import { taskDefinitionSchema, type ContainerSpec, type TaskDefinitionSpec } from '../spec/schema.js';

/** A field the spec can express as a whole (`true`), or an object whose own fields say (lists: their items' fields). */
export type Expressible = true | { readonly [field: string]: Expressible };

/** Spec fields that are steady's, not task-definition content. */
const SPEC_ONLY = {
  /** `tags` go to RegisterTaskDefinition beside the content; `containers` are `containerDefinitions`. */
  taskDefinition: ['tags', 'containers'],
  /** Who deploys the image: steady's rule, not ECS's. */
  container: ['imageOwner'],
} as const;

/** The schema's fields, as a tree: objects by their fields, lists by their items, anything else whole. */
function fieldsOf(schema: z.ZodType): Expressible {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
      return fieldsOf(def.innerType!);
    case 'array':
      return fieldsOf(def.element!);
    case 'object': {
      const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
      return Object.fromEntries(Object.entries(shape).flatMap(([k, v]) => (isNotOnFargate(v) ? [] : [[k, fieldsOf(v)]])));
    }
    default:
      return true;
  }
}

function without(fields: Expressible, drop: readonly string[]): { [field: string]: Expressible } {
  if (fields === true) throw new Error('internal: expected an object schema');
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !drop.includes(k)));
}

/**
 * Everything of a task definition the spec language can express, in ECS's field names. Derived
 * from the schema: adding a field there (under its ECS name) adds it here.
 */
export const EXPRESSIBLE: { readonly [field: string]: Expressible } = (() => {
  const task = fieldsOf(taskDefinitionSchema) as { [field: string]: Expressible };
  return { ...without(task, SPEC_ONLY.taskDefinition), containerDefinitions: without(task.containers, SPEC_ONLY.container) };
})();

// ------------------------------------------------------------------------------------ spec -> content

/** `{ NAME: value }` -> `[{ name: NAME, [field]: value }]`, the shape ECS takes. */
function pairs(map: Record<string, string> | undefined, field: 'value' | 'valueFrom'): { name: string }[] {
  return Object.entries(map ?? {}).map(([name, value]) => ({ name, [field]: value }));
}

function containerContent(c: ContainerSpec, image: string): Record<string, unknown> {
  const { imageOwner: _owner, environment, secrets, logConfiguration, ...rest } = c;
  return {
    ...rest,
    image,
    environment: pairs(environment, 'value'),
    secrets: pairs(secrets, 'valueFrom'),
    logConfiguration: logConfiguration && { ...logConfiguration, secretOptions: pairs(logConfiguration.secretOptions, 'valueFrom') },
  };
}

/**
 * The canonical content a spec's task definition stands for, with each container's image as
 * given by `imageOf` (pinned digests) and the family as given.
 */
export function specContent(td: TaskDefinitionSpec, family: string, imageOf: (c: ContainerSpec) => string): TaskDefinitionContent {
  const { containers, tags: _tags, ...rest } = td;
  return canonicalTaskDefinition({
    ...rest,
    family,
    containerDefinitions: containers.map((c) => containerContent(c, imageOf(c))),
  });
}

// ------------------------------------------------------------------------------------ unexpressible

/** A field of a revision the spec language cannot express, by its path in ECS's terms. */
export interface UnexpressibleField {
  /** `containerDefinitions[app].ulimits`, `volumes[shared].efsVolumeConfiguration`, `ephemeralStorage`. */
  path: string;
  value: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Names a field outside what the spec expresses. Lists of named things at the task level
 * (`volumes`) are named item by item with what each holds (`volumes[shared].efsVolumeConfiguration`,
 * `volumes[scratch]`), as containers are; anything deeper is named whole.
 */
function report(path: string, field: string, value: unknown, topLevel: boolean, out: UnexpressibleField[]): void {
  const keys = topLevel && Array.isArray(value) ? listKeys(field, value) : undefined;
  if (!keys) {
    out.push({ path, value });
    return;
  }
  (value as Record<string, unknown>[]).forEach((item, i) => {
    const fields = Object.keys(item).filter((k) => k !== LIST_KEYS[field]);
    if (fields.length === 0) out.push({ path: `${path}[${keys[i]}]`, value: item });
    for (const f of fields) out.push({ path: `${path}[${keys[i]}].${f}`, value: item[f] });
  });
}

function walk(value: unknown, node: Expressible, path: string, field: string, out: UnexpressibleField[]): void {
  if (node === true) return;
  if (Array.isArray(value)) {
    const keys = listKeys(field, value);
    value.forEach((item, i) => walk(item, node, `${path}[${keys?.[i] ?? i}]`, field, out));
    return;
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    if (k in node) walk(v, node[k], at, k, out);
    else report(at, k, v, path === '', out);
  }
}

/**
 * The content of a revision the spec language cannot express (after AWS's defaults are normalised
 * away, so a default-valued field is not content). A revision registered from a spec would drop
 * every one of them.
 *
 * @example
 * unexpressibleFields(running.content).map((f) => f.path)
 * // ['containerDefinitions[app].ulimits', 'volumes[shared].efsVolumeConfiguration']
 */
export function unexpressibleFields(content: TaskDefinitionContent): UnexpressibleField[] {
  const out: UnexpressibleField[] = [];
  walk(content, EXPRESSIBLE, '', '', out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function prune(value: unknown, node: Expressible): unknown {
  if (node === true) return value;
  if (Array.isArray(value)) return value.map((item) => prune(item, node));
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (k in node ? [[k, prune(v, node[k])]] : [])));
}

/**
 * The part of a revision's content the spec language can express: every field `unexpressibleFields`
 * names is left out (`steady import` writes what remains, and names the rest in comments).
 */
export function expressiblePart(content: TaskDefinitionContent): TaskDefinitionContent {
  return prune(content, EXPRESSIBLE) as TaskDefinitionContent;
}
