/**
 * `steady import`, second half: what was read of a cluster (`read.ts`) as spec documents, one per
 * resource, each with the comments that say what import could not decide. Every imported resource
 * says `adopt: true`, and says what runs as it runs, so that `steady plan` on the written specs
 * plans nothing but the adoption. Pure.
 */
import type { EcsService } from '../model/aws.js';
import { SERVICE_DEFAULTS, type EcsServiceExtras } from '../model/service-settings.js';
import { migrationVersion } from '../plan/desired.js';
import { API_VERSION } from '../spec/schema.js';
import type { ImportedAlias, ImportedCluster, ImportedMigration, ImportedService } from './read.js';
import { ownerOf } from './read.js';
import { compact, taskDefinitionSpec, type Note } from './taskdef.js';

type Obj = Record<string, unknown>;

/** One spec document to write: its file name, the document, comments on its nodes, and a header. */
export interface ImportedDoc {
  file: string;
  kind: 'Environment' | 'Service' | 'Migration' | 'AliasRecord';
  name: string;
  doc: Obj;
  /** Comments above nodes of `doc` (paths from the document root). */
  notes: Note[];
  /** Lines of the comment at the top of the file. */
  header: string[];
  /** Why import could not make a valid document: it is written whole as a comment, to a `.yaml.draft` file the loader skips. */
  commentedOut?: string;
}

/** A resource name as the spec allows (lower-case letters, digits, hyphens; at most 63). */
export function resourceNameOf(raw: string): string {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name || 'imported';
}

const prefixed = (prefix: (string | number)[], notes: Note[]): Note[] => notes.map((n) => ({ path: [...prefix, ...n.path], text: n.text }));

/** The settings of `EcsServiceExtras` a service has that are not ECS's defaults, as the spec writes them. */
function extrasSpec(svc: EcsService): Obj {
  const out: Obj = {};
  for (const [field, value] of Object.entries(svc) as [keyof EcsServiceExtras, unknown][]) {
    if (!['capacityProviderStrategy', 'enableExecuteCommand', 'propagateTags', 'enableECSManagedTags', 'availabilityZoneRebalancing', 'serviceConnectConfiguration', 'serviceRegistries', 'volumeConfigurations'].includes(field)) continue;
    if (value === undefined || JSON.stringify(value) === JSON.stringify(SERVICE_DEFAULTS[field])) continue;
    out[field] = value;
  }
  if (Array.isArray(out.capacityProviderStrategy)) {
    out.capacityProviderStrategy = (out.capacityProviderStrategy as Obj[]).map((i) => ({ ...i, base: i.base === 0 ? undefined : i.base }));
  }
  const sc = out.serviceConnectConfiguration as Obj | undefined;
  const log = sc?.logConfiguration as Obj | undefined;
  if (log?.secretOptions) {
    out.serviceConnectConfiguration = { ...sc, logConfiguration: { ...log, secretOptions: Object.fromEntries((log.secretOptions as Obj[]).map((o) => [o.name, o.valueFrom])) } };
  }
  if (Array.isArray(out.volumeConfigurations)) {
    out.volumeConfigurations = (out.volumeConfigurations as Obj[]).map((v) => {
      const ebs = v.managedEBSVolume as Obj;
      const specs = (ebs.tagSpecifications as Obj[] | undefined)?.map((t) => ({ ...t, tags: t.tags && Object.fromEntries((t.tags as Obj[]).map((x) => [x.key, x.value])) }));
      return { ...v, managedEBSVolume: { ...ebs, tagSpecifications: specs } };
    });
  }
  return out;
}

function deploymentSpec(imported: ImportedService, notes: Note[]): Obj {
  const svc = imported.service;
  if (svc.deploymentController === 'CODE_DEPLOY') {
    const g = imported.codeDeploy;
    if (!g) throw new Error(`no CodeDeploy deployment group deploys service ${svc.name}`);
    return { strategy: 'blueGreen', codeDeploy: { application: g.application, deploymentGroup: g.name, deploymentConfig: g.deploymentConfigName } };
  }
  const dc = svc.deploymentConfiguration;
  if (dc.unmodelled) {
    notes.push({ path: ['spec', 'deployment'], text: `ECS also has ${Object.keys(dc.unmodelled).sort().join(', ')} in this service's deploymentConfiguration; steady keeps them as they are` });
  }
  return compact({
    strategy: 'rolling',
    minimumHealthyPercent: dc.minimumHealthyPercent === 100 ? undefined : dc.minimumHealthyPercent,
    maximumPercent: dc.maximumPercent === 200 ? undefined : dc.maximumPercent,
    // The spec's default (both on) is not ECS's (both off): say what the service has.
    circuitBreaker: dc.circuitBreaker ?? { enable: false, rollback: false },
    alarms: dc.alarms,
  }) as Obj;
}

/** One Service document. */
export function serviceDoc(imported: ImportedService, cluster: ImportedCluster, env: string, name: string, after: string[]): ImportedDoc {
  const svc = imported.service;
  const td = taskDefinitionSpec(imported.taskDefinition.content, cluster.images, cluster.region, imported.taskDefinition.tags);
  const notes: Note[] = prefixed(['spec', 'taskDefinition'], td.notes);
  const binding = svc.loadBalancers[0];
  const tg = binding && imported.targetGroups.find((t) => t.arn === binding.targetGroupArn);
  const network = svc.network!;
  const serviceTags = Object.fromEntries(Object.entries(svc.tags).filter(([k]) => !k.startsWith('steady:') && !k.startsWith('aws:')));
  const { tags: specTags, ...settings } = compact({
    serviceName: name === svc.name ? undefined : svc.name,
    adopt: true,
    desiredCount: svc.desiredCount,
    after,
    loadBalancer: tg && { targetGroup: tg.name, containerName: binding.containerName, containerPort: binding.containerPort },
    network: { subnets: network.subnets, securityGroups: network.securityGroups, assignPublicIp: network.assignPublicIp === 'DISABLED' ? undefined : network.assignPublicIp },
    platformVersion: svc.platformVersion && svc.platformVersion !== 'LATEST' ? svc.platformVersion : undefined,
    healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds ? svc.healthCheckGracePeriodSeconds : undefined,
    ...extrasSpec(svc),
    deployment: deploymentSpec(imported, notes),
    tags: serviceTags,
  }) as Obj;
  // Not compacted with the rest: an empty requiresCompatibilities there is meant.
  const spec = { ...settings, taskDefinition: td.spec, ...(specTags ? { tags: specTags } : {}) };
  notes.push({ path: ['spec', 'desiredCount'], text: 'if Application Auto Scaling owns this count, add autoscaling: true (steady then leaves the count alone)' });
  if (after.length) notes.push({ path: ['spec', 'after'], text: 'its migration, imported too: the service rolls out only after it succeeded for the same version' });
  const header = [`The ECS service ${svc.name} of cluster ${cluster.cluster}, imported by steady import: it runs ${revision(imported.taskDefinition.arn)}.`];
  if (svc.deployments.length > 1) header.push(`A deployment was in progress: the spec says what the service is moving to, ${revision(svc.taskDefinitionArn)}.`);
  return { file: `${name}.yaml`, kind: 'Service', name, doc: document('Service', { name, environment: env }, spec), notes, header };
}

function document(kind: string, metadata: Obj, spec: Obj): Obj {
  return { apiVersion: API_VERSION, kind, metadata, spec };
}

const revision = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** `api.example.com` in zone `example.com` -> `api-dns`; the apex -> `apex-dns`; `*.` -> `wildcard`. */
function aliasName(a: ImportedAlias): string {
  const label = a.record.name === a.zone.name ? 'apex' : a.record.name.slice(0, -(a.zone.name.length + 1)).replace(/^\*/, 'wildcard');
  return resourceNameOf(`${label}${a.record.type === 'AAAA' ? '-aaaa' : ''}-dns`);
}

/** One AliasRecord document. */
export function aliasDoc(a: ImportedAlias, env: string, name: string): ImportedDoc {
  const spec = compact({
    zone: a.zone.name,
    zoneId: a.ambiguousZone ? a.zone.id : undefined,
    name: a.record.name,
    type: a.record.type === 'A' ? undefined : a.record.type,
    target: { loadBalancer: a.loadBalancer.name },
    evaluateTargetHealth: a.record.alias!.evaluateTargetHealth || undefined,
    adopt: true,
  }) as Obj;
  const header = [
    `The ${a.record.type} alias ${a.record.name} in zone ${a.zone.name} (${a.zone.id}), imported by steady import.`,
    `It points at load balancer ${a.loadBalancer.name}: steady looks its DNS name up every pass instead of copying it.`,
  ];
  const notes: Note[] = a.ambiguousZone ? [{ path: ['spec', 'zoneId'], text: `another hosted zone is also named ${a.zone.name}: this pins the one the record is in` }] : [];
  return { file: `${name}.yaml`, kind: 'AliasRecord', name, doc: document('AliasRecord', { name, environment: env }, spec), notes, header };
}

/** The service whose revision a migration family copies, as steady names such families (`<service family>-<migration>`). */
function copiedService(m: ImportedMigration, services: { imported: ImportedService; name: string }[]) {
  for (const s of services) {
    const family = s.imported.taskDefinition.family;
    if (!m.family.startsWith(`${family}-`)) continue;
    const a = JSON.stringify({ ...m.taskDefinition.content, family: '' });
    const b = JSON.stringify({ ...s.imported.taskDefinition.content, family: '' });
    if (a === b) return { ...s, migration: m.family.slice(family.length + 1) };
  }
  return undefined;
}

/**
 * One Migration document: a copy of a service's revision (`fromService`, as steady registers them) or
 * a task definition of its own, with the command its newest task ran. When the version steady
 * recorded on the family differs from the spec's, it says so: the next pass would run it again.
 */
export function migrationDoc(m: ImportedMigration, cluster: ImportedCluster, env: string, services: { imported: ImportedService; name: string }[], name: string): ImportedDoc {
  const td = m.taskDefinition;
  const first = td.content.containerDefinitions.find((c) => c.essential) ?? td.content.containerDefinitions[0];
  const override = Object.entries(m.lastTask?.commandOverrides ?? {})[0];
  const container = override?.[0] ?? first.name;
  const command = override?.[1];
  const copied = copiedService(m, services);
  const notes: Note[] = [];
  const header = [`One-off tasks of task definition family ${m.family} (latest ${revision(td.arn)}), imported by steady import as a Migration.`];
  let spec: Obj;
  if (copied) {
    // The container the command ran in, said out loud when there is a command.
    spec = compact({ fromService: copied.name, container: command ? container : undefined, command }) as Obj;
  } else {
    const own = taskDefinitionSpec(td.content, cluster.images, cluster.region, td.tags);
    notes.push(...prefixed(['spec', 'taskDefinition'], own.notes));
    const network = services[0]?.imported.service.network;
    spec = { taskDefinition: own.spec, ...(compact({ container: container === first.name ? undefined : container, command, network }) as Obj) };
    if (network) notes.push({ path: ['spec', 'network'], text: `the network of service ${services[0].imported.service.name}: ECS does not keep the network of stopped tasks; check it` });
  }
  notes.push({ path: ['spec', copied ? 'fromService' : 'taskDefinition'], text: 'how long a run may take is not kept by ECS: steady allows 900 seconds unless timeoutSeconds says otherwise' });
  const recorded = td.tags['steady:migration-version'];
  const version = migrationVersion(td.content, container, command);
  if (recorded && recorded !== version) {
    header.push(`steady recorded version ${recorded} on this family; this spec is version ${version}, so the next pass runs the migration again.`);
  }
  const doc = document('Migration', { name, environment: env }, spec);
  if (copied && !command) {
    // A file of comments only would be refused by the loader: the draft is named so that it is not loaded.
    return { file: `${name}.yaml.draft`, kind: 'Migration', name, doc, notes, header, commentedOut: `it runs a copy of service ${copied.imported.service.name}'s revision with a command override, and ECS no longer shows a task that says which command: fill in command and uncomment` };
  }
  return { file: `${name}.yaml`, kind: 'Migration', name, doc, notes, header };
}

/** The Environment document. */
export function environmentDoc(cluster: ImportedCluster, env: string, resources: number): ImportedDoc {
  const spec = compact({ region: cluster.region, cluster: cluster.cluster, changeBudget: resources > 20 ? resources : undefined }) as Obj;
  const notes: Note[] = [{ path: ['spec', 'cluster'], text: 'add mode: observe to watch and report for a while before steady changes anything' }];
  if (resources > 20) notes.push({ path: ['spec', 'changeBudget'], text: `the first pass adopts ${resources} resources (each is tagged); lower this once it has` });
  const header = [`The environment of ECS cluster ${cluster.cluster} in ${cluster.region}, imported by steady import.`];
  return { file: 'environment.yaml', kind: 'Environment', name: env, doc: document('Environment', { name: env }, spec), notes, header };
}

/** Chooses names that do not collide within a kind: `api`, `api-2`, ... */
function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let i = 2; taken.has(name); i++) name = resourceNameOf(`${wanted.slice(0, 60)}-${i}`);
  taken.add(name);
  return name;
}

/**
 * Every document of an imported cluster. Names are steady's own where steady already manages the
 * resource (its `steady:resource` tag or ownership record), else derived from AWS's names. Files are
 * `environment.yaml` and `<name>.yaml`, `<kind>-<name>.yaml` when two kinds share a name.
 *
 * @example
 * const docs = importedDocs(await readCluster(adapters, { cluster: 'shop-prod' }, region), 'shop-prod');
 */
export function importedDocs(cluster: ImportedCluster, envOption?: string): { env: string; docs: ImportedDoc[]; skipped: { name: string; why: string }[] } {
  const owners = cluster.services.map((s) => ownerOf(s.service.tags).environment).filter((e): e is string => !!e);
  const env = resourceNameOf(envOption ?? owners[0] ?? cluster.cluster);
  const skipped = [...cluster.skipped];
  const taken = { Service: new Set<string>(), Migration: new Set<string>(), AliasRecord: new Set<string>() };
  const families = new Map<string, string>();
  const services: { imported: ImportedService; name: string }[] = [];
  for (const s of cluster.services) {
    const family = s.taskDefinition.family;
    if (families.has(family)) {
      skipped.push({ name: s.service.name, why: `it runs task definition family ${family} like service ${families.get(family)}, and a family belongs to one Service spec` });
      continue;
    }
    if (s.service.deploymentController === 'CODE_DEPLOY' && !s.codeDeploy) {
      skipped.push({ name: s.service.name, why: 'its deployment controller is CODE_DEPLOY and no CodeDeploy deployment group deploys it' });
      continue;
    }
    families.set(family, s.service.name);
    services.push({ imported: s, name: uniqueName(resourceNameOf(ownerOf(s.service.tags).name ?? s.service.name), taken.Service) });
  }
  const migrations = cluster.migrations.map((m) => {
    const copied = copiedService(m, services);
    const wanted = ownerOf(m.taskDefinition.tags).name ?? copied?.migration ?? m.family;
    return { m, name: uniqueName(resourceNameOf(wanted), taken.Migration), copied };
  });
  const migrationDocs = migrations.map(({ m, name }) => migrationDoc(m, cluster, env, services, name));
  const docs: ImportedDoc[] = services.map((s) => {
    const after = migrations.filter((m, i) => m.copied?.name === s.name && !migrationDocs[i].commentedOut).map((m) => m.name);
    return serviceDoc(s.imported, cluster, env, s.name, after);
  });
  docs.push(...migrationDocs);
  docs.push(...cluster.aliases.map((a) => aliasDoc(a, env, uniqueName(resourceNameOf(a.owner?.name ?? aliasName(a)), taken.AliasRecord))));
  docs.unshift(environmentDoc(cluster, env, docs.length));
  const counts = new Map<string, number>();
  for (const d of docs) counts.set(d.file, (counts.get(d.file) ?? 0) + 1);
  for (const d of docs) if (d.kind !== 'Environment' && counts.get(d.file)! > 1) d.file = `${d.kind.toLowerCase()}-${d.file}`;
  return { env, docs, skipped };
}
