/**
 * `steady import`: a running revision's content as a spec's `taskDefinition`, and the comments that
 * say what could not be copied as it is. The inverse of `specContent` (plan/expressible.ts): ECS's
 * `containerDefinitions` become `containers`, `{ name, value }` lists become `NAME: value` maps, the
 * defaults the spec fills itself are left out, and the image becomes the tag the user deploys when
 * ECR still has one on the running digest. Pure.
 */
import { isEcrImage, parseImageUri } from '../model/image.js';
import type { CanonicalContainer, TaskDefinitionContent } from '../model/taskdef.js';
import { expressiblePart, unexpressibleFields } from '../plan/expressible.js';
import { redactDeep, secretFinding } from '../spec/secrets.js';
import type { ImageLookup } from './read.js';

/** A comment for the node at `path` (relative to the object it was made for): written above it. */
export interface Note {
  path: (string | number)[];
  text: string;
}

type Obj = Record<string, unknown>;

/** `{ NAME: value }` of a `[{ name, value }]` list, leaving out (and noting) values that look like secrets. */
function toMap(list: unknown, field: 'value' | 'valueFrom', path: (string | number)[], notes: Note[], checkSecrets: boolean): Record<string, string> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: Record<string, string> = {};
  for (const item of list as Obj[]) {
    const name = String(item.name);
    const value = String(item[field] ?? '');
    if (checkSecrets && secretFinding(name, value)) {
      notes.push({ path, text: `${name}: not copied: its value looks like a secret. Store it in Secrets Manager or SSM Parameter Store and name it under secrets (until then the plan shows its removal)` });
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** A string map (log options, Docker labels) without the entries that look like secrets. */
function withoutSecrets(map: unknown, path: (string | number)[], notes: Note[]): Obj | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(map as Obj)) {
    if (typeof v === 'string' && secretFinding(k, v)) {
      notes.push({ path, text: `${k}: not copied: its value looks like a secret. Move it to secretOptions (a Secrets Manager or SSM ARN); until then the plan shows its removal` });
    } else out[k] = v;
  }
  return out;
}

/**
 * The image a spec should name for a running image: `repo:tag` when ECR has a tag on the digest (the
 * tag steady resolves to that digest again), the digest itself when no tag points at it, and the URI
 * as written otherwise. An ECR image the revision names by tag (unpinned) is left to its deployer
 * (`imageOwner: external`): steady would pin it, which is a new revision.
 */
export function importedImage(uri: string, lookup: ImageLookup | undefined, region: string): { image: string; external?: true; note?: string } {
  const ref = parseImageUri(uri);
  if (lookup?.kind === 'image') {
    const tags = [...lookup.image.tags].sort((a, b) => Number(a === 'latest') - Number(b === 'latest') || a.localeCompare(b));
    if (tags.length === 0) return { image: `${ref.name}@${lookup.image.digest}`, note: 'no ECR tag points at this digest any more, so the spec names the digest; name a tag to follow what is pushed' };
    const others = tags.slice(1);
    return { image: `${ref.name}:${tags[0]}`, ...(others.length ? { note: `the digest running is also tagged ${others.join(', ')}; name the tag your pipeline pushes` } : {}) };
  }
  if (lookup?.kind === 'missing') return { image: uri, note: `ECR does not have this image any more (${lookup.message}); steady reports the service Failed until the spec names one it has` };
  if (isEcrImage(ref) && ref.ecr.region === region && !ref.digest) {
    return { image: uri, external: true, note: 'the running revision names this tag unpinned; steady would pin it to its digest (a new revision), so its deployer keeps it (imageOwner: external). Remove that to let steady pin and roll out what the tag points at' };
  }
  return { image: uri };
}

/** Leaves out what the spec fills in itself (`protocol: tcp`, the host port of awsvpc, health-check timings). */
function withoutSpecDefaults(c: Obj): Obj {
  const hc = c.healthCheck as Obj | undefined;
  const defaults: Obj = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 };
  return {
    ...c,
    essential: c.essential === false ? false : undefined,
    portMappings: (c.portMappings as Obj[] | undefined)?.map((p) => ({
      ...p,
      protocol: p.protocol === 'tcp' ? undefined : p.protocol,
      hostPort: p.hostPort === p.containerPort ? undefined : p.hostPort,
    })),
    healthCheck: hc && Object.fromEntries(Object.entries(hc).filter(([k, v]) => defaults[k] !== v)),
  };
}

function containerSpec(c: CanonicalContainer, i: number, images: Record<string, ImageLookup>, region: string, notes: Note[]): Obj {
  const at = (...p: (string | number)[]) => ['containers', i, ...p];
  const { environment, secrets, logConfiguration, firelensConfiguration, dockerLabels, image: _image, ...rest } = c as Obj & { image: string };
  const image = importedImage(c.image, images[c.image], region);
  if (image.note) notes.push({ path: at('image'), text: image.note });
  const log = logConfiguration as Obj | undefined;
  const firelens = firelensConfiguration as Obj | undefined;
  return withoutSpecDefaults({
    name: c.name,
    image: image.image,
    ...(image.external ? { imageOwner: 'external' } : {}),
    ...rest,
    environment: toMap(environment, 'value', at('environment'), notes, true),
    secrets: toMap(secrets, 'valueFrom', at('secrets'), notes, false),
    logConfiguration: log && {
      ...log,
      options: withoutSecrets(log.options, at('logConfiguration'), notes),
      secretOptions: toMap(log.secretOptions, 'valueFrom', at('logConfiguration'), notes, false),
    },
    firelensConfiguration: firelens && { ...firelens, options: withoutSecrets(firelens.options, at('firelensConfiguration'), notes) },
    dockerLabels: withoutSecrets(dockerLabels, at('dockerLabels'), notes),
  });
}

/** Drops undefined values and empty maps, lists and objects, deeply, so the YAML says only what is there. */
export function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (value && typeof value === 'object') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value as Obj)) {
      const c = compact(v);
      if (c === undefined) continue;
      if (c && typeof c === 'object' && Object.keys(c).length === 0) continue;
      out[k] = c;
    }
    return out;
  }
  return value;
}

/**
 * A revision's content as a spec's `taskDefinition`, with notes for what was not copied as it is:
 * fields the spec language cannot express (named by path: the plan blocks the resource on them),
 * values that look like secrets, images by digest or unpinned tags.
 *
 * @example
 * const { spec, notes } = taskDefinitionSpec(revision.content, cluster.images, 'ap-northeast-1', revision.tags);
 */
export function taskDefinitionSpec(content: TaskDefinitionContent, images: Record<string, ImageLookup>, region: string, tags: Record<string, string> = {}): { spec: Obj; notes: Note[] } {
  const notes: Note[] = unexpressibleFields(content).map((f) => ({
    path: [],
    text: `${f.path}: ${JSON.stringify(redactDeep(f.value))} is more than the spec language can say; steady blocks this resource (UnexpressibleFields) until it is gone`,
  }));
  const { containerDefinitions, networkMode, requiresCompatibilities, ...task } = expressiblePart(content);
  const compat = requiresCompatibilities as string[] | undefined;
  const ownTags = Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith('steady:') && !k.startsWith('aws:')));
  const platform = task.runtimePlatform as Obj | undefined;
  const spec = compact({
    ...task,
    // LINUX is what the spec says when it says nothing.
    runtimePlatform: platform && { ...platform, operatingSystemFamily: platform.operatingSystemFamily === 'LINUX' ? undefined : platform.operatingSystemFamily },
    networkMode: networkMode === 'awsvpc' ? undefined : networkMode,
    requiresCompatibilities: compat && !(compat.length === 1 && compat[0] === 'FARGATE') ? compat : undefined,
    containers: containerDefinitions.map((c, i) => containerSpec(c, i, images, region, notes)),
    tags: ownTags,
  }) as Obj;
  // Registered without requiresCompatibilities (ECS then validates for nothing in particular): say so, or the spec's FARGATE differs.
  if (!compat) return { spec: { family: spec.family, requiresCompatibilities: [], ...spec }, notes };
  return { spec, notes };
}
