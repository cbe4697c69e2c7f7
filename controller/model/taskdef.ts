/**
 * The canonical content of a task definition: what both the spec side (after images are pinned
 * to digests) and the AWS side (DescribeTaskDefinition) are turned into before they are compared.
 *
 * The content is the WHOLE object: every field DescribeTaskDefinition returns except the ones that
 * describe the revision rather than what it runs (`NOT_CONTENT`), including fields steady has never
 * heard of. A field nobody listed here is kept and compared as it is, so content is never silently
 * equal and never silently dropped. Around that, equivalent forms are made one:
 * - the defaults AWS fills in are filled (or removed) on both sides: `cpu: 0`, `essential`, port
 *   protocol and host port, health-check timings, `ephemeralStorage` of 20 GiB, `false` flags;
 * - empty lists and objects (`mountPoints: []`, `host: {}`) are the same as absent ones;
 * - lists whose order means nothing are sorted by what identifies an item (`LIST_KEYS`);
 * - in a described revision, the task role or an SSM parameter named where ECS also takes its ARN is made
 *   the ARN it stands for (the revision's own ARN says which account and region).
 * Containers keep the order they were registered in; comparisons match them by name.
 *
 * Pure: no I/O, no SDK import.
 */
import { createHash } from 'node:crypto';
import { isObject, tidyWith, type Obj } from './tidy.js';

/** DescribeTaskDefinition fields that describe the revision, not its content. */
export const NOT_CONTENT: readonly string[] = [
  'taskDefinitionArn',
  'revision',
  'status',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
  'compatibilities',
  'requiresAttributes',
  // Tags are a revision's metadata, not content (RegisterTaskDefinition takes them beside it).
  'tags',
];

export interface CanonicalPortMapping {
  containerPort?: number;
  hostPort?: number;
  protocol: string;
  name?: string;
  appProtocol?: string;
  [field: string]: unknown;
}

export interface CanonicalHealthCheck {
  command: string[];
  interval: number;
  timeout: number;
  retries: number;
  startPeriod: number;
}

/** A container definition in ECS's field names, canonical form; any field ECS has may be present. */
export interface CanonicalContainer {
  name: string;
  image: string;
  essential: boolean;
  command?: string[];
  portMappings?: CanonicalPortMapping[];
  healthCheck?: CanonicalHealthCheck;
  [field: string]: unknown;
}

/**
 * Task-definition content in ECS's field names (RegisterTaskDefinition input), canonical form:
 * the whole object, so any field ECS has may be present besides the ones typed here.
 */
export interface TaskDefinitionContent {
  family: string;
  cpu?: string;
  memory?: string;
  networkMode: string;
  requiresCompatibilities?: string[];
  executionRoleArn?: string;
  taskRoleArn?: string;
  containerDefinitions: CanonicalContainer[];
  [field: string]: unknown;
}


/**
 * Lists whose items are identified by one of their fields, by the list's field name: sorted by it
 * in canonical form (except containers, whose order is kept), matched by it in diffs, and used to
 * name items in paths (`containerDefinitions[app]`, `environment[LOG_LEVEL]`, `portMappings[8080/tcp]`).
 */
export const LIST_KEYS: Readonly<Record<string, string | ((item: Obj) => unknown)>> = {
  containerDefinitions: 'name',
  volumes: 'name',
  environment: 'name',
  secrets: 'name',
  secretOptions: 'name',
  ulimits: 'name',
  systemControls: 'namespace',
  dependsOn: 'containerName',
  mountPoints: 'containerPath',
  volumesFrom: 'sourceContainer',
  portMappings: (i) => `${String(i.containerPort ?? i.containerPortRange)}/${String(i.protocol ?? 'tcp')}`,
  extraHosts: 'hostname',
  resourceRequirements: 'type',
  inferenceAccelerators: 'deviceName',
  properties: 'name',
  devices: 'hostPath',
  tmpfs: 'containerPath',
};

function keyOf(field: string, item: Obj): unknown {
  const key = LIST_KEYS[field];
  return typeof key === 'string' ? item[key] : key?.(item);
}

/** Lists of strings or numbers whose order means nothing (sets). */
const SET_LISTS = new Set(['requiresCompatibilities', 'add', 'drop', 'ignoredExitCodes']);

/** The identity of each item of `list` (the value of field `field`), or undefined when the items have no unique identity. */
export function listKeys(field: string, list: unknown[]): string[] | undefined {
  if (!LIST_KEYS[field] || !list.every(isObject)) return undefined;
  const keys = list.map((item) => keyOf(field, item as Obj));
  if (keys.some((k) => typeof k !== 'string' && typeof k !== 'number')) return undefined;
  const strings = keys.map(String);
  return new Set(strings).size === strings.length ? strings : undefined;
}

/** Sorts lists whose order means nothing: sets, and lists of items with a unique identity. */
const tidy = tidyWith((field, items) => {
  if (SET_LISTS.has(field) && items.every((i) => typeof i === 'string')) return [...(items as string[])].sort();
  if (SET_LISTS.has(field) && items.every((i) => typeof i === 'number')) return [...(items as number[])].sort((a, b) => a - b);
  const keys = field === 'containerDefinitions' ? undefined : listKeys(field, items);
  if (!keys) return items;
  return items.map((item, i) => [keys[i], item] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
});

const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
const object = (v: unknown): Obj | undefined => (isObject(v) ? v : undefined);
/** `value`, or undefined when it is the default. */
const unlessDefault = <T>(value: T, defaultValue: T): T | undefined => (value === defaultValue ? undefined : value);

/**
 * `repo:tag@sha256:...` runs `repo@sha256:...`: with a digest present every runtime ignores the tag,
 * so the two are one image (steady pins as `repo@sha256:...`).
 */
function pinnedForm(image: unknown): unknown {
  if (typeof image !== 'string') return image;
  const m = /^(.*?)(:[^/@:]+)?(@sha256:[0-9a-f]{64})$/.exec(image);
  return m ? `${m[1]}${m[3]}` : image;
}

/** A container's defaults as ECS fills them: filled where the spec names them, removed where "absent" is the default. */
function containerDefaults(c: Obj, networkMode: string): Obj {
  const hc = object(c.healthCheck);
  const linux = object(c.linuxParameters);
  const restart = object(c.restartPolicy);
  return {
    ...c,
    image: pinnedForm(c.image),
    essential: c.essential ?? true,
    cpu: unlessDefault(c.cpu, 0), // ECS reports 0 for "not set"
    portMappings: list(c.portMappings).map((p) => ({
      ...p,
      protocol: p.protocol ?? 'tcp',
      // awsvpc: the host port is the container port, and ECS fills it in.
      hostPort: p.hostPort ?? (p.containerPort === undefined ? undefined : networkMode === 'awsvpc' ? p.containerPort : 0),
    })),
    healthCheck: hc && { ...hc, interval: hc.interval ?? 30, timeout: hc.timeout ?? 5, retries: hc.retries ?? 3, startPeriod: hc.startPeriod ?? 0 },
    mountPoints: list(c.mountPoints).map((m) => ({ ...m, readOnly: unlessDefault(m.readOnly, false) })),
    volumesFrom: list(c.volumesFrom).map((v) => ({ ...v, readOnly: unlessDefault(v.readOnly, false) })),
    linuxParameters: linux && { ...linux, initProcessEnabled: unlessDefault(linux.initProcessEnabled, false) },
    // A container may restart after running this long unless the policy says otherwise.
    restartPolicy: restart && { ...restart, restartAttemptPeriod: unlessDefault(restart.restartAttemptPeriod, 300) },
    readonlyRootFilesystem: unlessDefault(c.readonlyRootFilesystem, false),
    privileged: unlessDefault(c.privileged, false),
    disableNetworking: unlessDefault(c.disableNetworking, false),
    interactive: unlessDefault(c.interactive, false),
    pseudoTerminal: unlessDefault(c.pseudoTerminal, false),
    versionConsistency: unlessDefault(c.versionConsistency, 'enabled'),
  };
}

/** A task-level volume's defaults: the EFS root directory, transit encryption and IAM authorization AWS assumes. */
function volumeDefaults(v: Obj): Obj {
  const efs = object(v.efsVolumeConfiguration);
  const auth = object(efs?.authorizationConfig);
  const s3files = object(v.s3filesVolumeConfiguration);
  return {
    ...v,
    s3filesVolumeConfiguration: s3files && { ...s3files, rootDirectory: unlessDefault(s3files.rootDirectory, '/') },
    configuredAtLaunch: unlessDefault(v.configuredAtLaunch, false),
    efsVolumeConfiguration: efs && {
      ...efs,
      rootDirectory: unlessDefault(efs.rootDirectory, '/'),
      transitEncryption: unlessDefault(efs.transitEncryption, 'DISABLED'),
      authorizationConfig: auth && { ...auth, iam: unlessDefault(auth.iam, 'DISABLED') },
    },
  };
}

/** X86_64/LINUX is what Fargate runs when nothing is said. */
function runtimePlatform(v: unknown): Obj | undefined {
  const p = object(v);
  if (!p) return undefined;
  const filled = { ...p, cpuArchitecture: p.cpuArchitecture ?? 'X86_64', operatingSystemFamily: p.operatingSystemFamily ?? 'LINUX' };
  return Object.keys(filled).length === 2 && filled.cpuArchitecture === 'X86_64' && filled.operatingSystemFamily === 'LINUX' ? undefined : filled;
}

/** Partition, region and account of a revision, from its ARN: what a short reference in it means. */
function homeOf(arn: unknown): { partition: string; region: string; account: string } | undefined {
  const m = typeof arn === 'string' ? /^arn:(aws[a-z-]*):ecs:([a-z0-9-]+):(\d{12}):task-definition\//.exec(arn) : null;
  return m ? { partition: m[1], region: m[2], account: m[3] } : undefined;
}

/**
 * References ECS takes as a name or an ARN, as ARNs (what a spec writes): the task role by its short
 * name, an SSM parameter of the task's own region by name (`/shop/db-url` or `db-url`) in `secrets`
 * and `secretOptions`.
 */
function expandReferences(raw: Obj, home: { partition: string; region: string; account: string }): Obj {
  const role = (v: unknown) => (typeof v === 'string' && v !== '' && !v.startsWith('arn:') ? `arn:${home.partition}:iam::${home.account}:role/${v}` : v);
  const parameter = (v: unknown) =>
    typeof v === 'string' && v !== '' && !v.startsWith('arn:') ? `arn:${home.partition}:ssm:${home.region}:${home.account}:parameter/${v.replace(/^\//, '')}` : v;
  const refs = (list: unknown) => (Array.isArray(list) ? list.map((i) => (isObject(i) ? { ...i, valueFrom: parameter(i.valueFrom) } : i)) : list);
  return {
    ...raw,
    taskRoleArn: role(raw.taskRoleArn),
    containerDefinitions: list(raw.containerDefinitions).map((c) => {
      const log = object(c.logConfiguration);
      return { ...c, secrets: refs(c.secrets), logConfiguration: log && { ...log, secretOptions: refs(log.secretOptions) } };
    }),
  };
}

/**
 * Brings a task definition (a DescribeTaskDefinition `taskDefinition`, a RegisterTaskDefinition
 * input, or content built from a spec) into canonical form.
 *
 * @example
 * const actual = canonicalTaskDefinition(describeOutput.taskDefinition);
 * const same = taskDefinitionsEqual(actual, desired);
 */
export function canonicalTaskDefinition(td: object): TaskDefinitionContent {
  const home = homeOf((td as Obj).taskDefinitionArn);
  const raw: Obj = home ? expandReferences({ ...(td as Obj) }, home) : { ...(td as Obj) };
  for (const field of NOT_CONTENT) delete raw[field];
  const networkMode = typeof raw.networkMode === 'string' ? raw.networkMode : 'bridge';
  const ephemeral = object(raw.ephemeralStorage);
  const proxy = object(raw.proxyConfiguration);
  const content = tidy({
    ...raw,
    networkMode,
    runtimePlatform: runtimePlatform(raw.runtimePlatform),
    // 20 GiB is what Fargate gives a task that does not ask for more.
    ephemeralStorage: ephemeral && { ...ephemeral, sizeInGiB: unlessDefault(ephemeral.sizeInGiB, 20) },
    enableFaultInjection: unlessDefault(raw.enableFaultInjection, false),
    proxyConfiguration: proxy && { ...proxy, type: unlessDefault(proxy.type, 'APPMESH') },
    volumes: list(raw.volumes).map(volumeDefaults),
    containerDefinitions: list(raw.containerDefinitions).map((c) => containerDefaults(c, networkMode)),
  }) as Obj;
  return { family: '', containerDefinitions: [], ...content } as unknown as TaskDefinitionContent;
}

// ------------------------------------------------------------------------------------ comparing

/** JSON with object keys sorted, so equal content has one spelling. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** A short content hash (sha256, hex) of any JSON-able value. */
export function contentHash(value: unknown, length = 16): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, length);
}

/** One difference between two contents: where, and the values on each side (undefined: absent). */
export interface ContentChange {
  /** `containerDefinitions[app].environment[LOG_LEVEL]`, `volumes[shared]`, `cpu`. */
  path: string;
  before: unknown;
  after: unknown;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * An item of a keyed list with one plain field besides its key (`{ name, value }`) is shown as
 * that field's value: `environment[LOG_LEVEL]: info -> debug`. Other items are shown whole.
 */
function valueOf(item: Obj, field: string): unknown {
  const key = LIST_KEYS[field];
  const rest = typeof key === 'string' ? Object.keys(item).filter((k) => k !== key) : [];
  return rest.length === 1 && !isObject(item[rest[0]]) && !Array.isArray(item[rest[0]]) ? item[rest[0]] : item;
}

function listDiff(before: unknown[], after: unknown[], path: string, field: string, out: ContentChange[]): void {
  const bk = listKeys(field, before);
  const ak = listKeys(field, after);
  if (!bk || !ak) {
    if (stableJson(before) !== stableJson(after)) out.push({ path, before, after });
    return;
  }
  const b = new Map(bk.map((k, i) => [k, before[i] as Obj]));
  const a = new Map(ak.map((k, i) => [k, after[i] as Obj]));
  for (const key of new Set([...bk, ...ak])) {
    const bi = b.get(key);
    const ai = a.get(key);
    const at = `${path}[${key}]`;
    if (!bi || !ai) {
      out.push({ path: at, before: bi && valueOf(bi, field), after: ai && valueOf(ai, field) });
      continue;
    }
    const bv = valueOf(bi, field);
    const av = valueOf(ai, field);
    if (isObject(bv) || isObject(av)) diffInto(bi, ai, at, out);
    else if (stableJson(bv) !== stableJson(av)) out.push({ path: at, before: bv, after: av });
  }
}

function diffInto(before: unknown, after: unknown, path: string, out: ContentChange[], field = ''): void {
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) diffInto(before[key], after[key], join(path, key), out, key);
  } else if (Array.isArray(before) && Array.isArray(after)) {
    listDiff(before, after, path, field, out);
  } else if (stableJson(before) !== stableJson(after)) {
    out.push({ path, before, after });
  }
}

/**
 * Every difference between two canonical contents, nested fields included, with list items
 * matched by what identifies them (`LIST_KEYS`): `containerDefinitions[app].image`,
 * `containerDefinitions[app].environment[LOG_LEVEL]`, `volumes[shared]`.
 *
 * @example
 * contentDiff(running, desired) // [{ path: 'containerDefinitions[app].ulimits', before: [...], after: undefined }]
 */
export function contentDiff(before: TaskDefinitionContent, after: TaskDefinitionContent): ContentChange[] {
  const out: ContentChange[] = [];
  diffInto(before, after, '', out);
  return out;
}

// Comparison keys are computed once per content object: the same revision is compared on every pass
// (the cache keeps its content object), and re-serialising both sides of every comparison cost a fifth
// of a large pass's CPU.
const comparisonKeys = new WeakMap<object, string>();

/**
 * The content as one string: canonical JSON with containers in name order (their order does not
 * count). Equal keys mean `contentDiff` finds nothing.
 */
function comparisonKey(content: TaskDefinitionContent): string {
  let key = comparisonKeys.get(content);
  if (key === undefined) {
    const names = content.containerDefinitions.map((c) => c.name);
    const unique = new Set(names).size === names.length;
    const containers = unique ? [...content.containerDefinitions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : content.containerDefinitions;
    key = stableJson({ ...content, containerDefinitions: containers });
    comparisonKeys.set(content, key);
  }
  return key;
}

/**
 * A fingerprint of a revision's content (sha256 of its comparison key, 32 hex digits): what steady
 * writes beside a rollout (`steady:content`) so that a cold start can tell the revision a service
 * runs has the content the spec asks for without describing it.
 */
export function contentFingerprint(content: TaskDefinitionContent): string {
  return createHash('sha256').update(comparisonKey(content)).digest('hex').slice(0, 32);
}

/** Same content: no difference at all (containers are matched by name, so their order does not count). */
export function taskDefinitionsEqual(a: TaskDefinitionContent, b: TaskDefinitionContent): boolean {
  // Equal keys: nothing differs (the common case, no diff to build). Different keys may still be
  // equal content in a form that is not canonical (a keyed list in another order): the diff decides.
  return a === b || comparisonKey(a) === comparisonKey(b) || contentDiff(a, b).length === 0;
}
