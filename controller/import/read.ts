/**
 * `steady import`, first half: reads what runs in one ECS cluster through steady's adapters — the
 * services, the revisions they run (with tags), the tags their ECR images' digests carry, their
 * target groups and load balancers, the Route 53 alias records that point at those load balancers,
 * the CodeDeploy deployment group of a blue/green service, and the task-definition families the user
 * names as migrations — into an `ImportedCluster`. Nothing is changed; the second half
 * (`specs.ts`) turns it into specs without I/O.
 */
import { AwsCallError } from '../errors.js';
import type { CodeDeployDeploymentGroup, EcrImage, EcsService, EcsTask, HostedZone, LoadBalancer, RecordSet, TargetGroup } from '../model/aws.js';
import type { TaggedTaskDefinition } from '../model/actual.js';
import { sameAliasDnsName } from '../model/aws.js';
import { isDigest, parseImageUri } from '../model/image.js';
import type { Adapters } from '../observe/common.js';
import type { ImportReads } from './aws.js';
import { servingRevision } from '../plan/bluegreen.js';

/** What to read. */
export interface ImportOptions {
  cluster: string;
  /** Only these services (names); default every ACTIVE service of the cluster. */
  services?: string[];
  /** Task-definition families to import as Migrations (their latest ACTIVE revision). */
  migrations?: string[];
}

/** One ECS service and what it is wired to. */
export interface ImportedService {
  service: EcsService;
  /** The revision the service runs (a CODE_DEPLOY service: its PRIMARY task set's), with its tags. */
  taskDefinition: TaggedTaskDefinition;
  /** The target groups of its load-balancer bindings. */
  targetGroups: TargetGroup[];
  /** A blue/green service's CodeDeploy deployment group; undefined when none was found. */
  codeDeploy?: CodeDeployDeploymentGroup;
}

/** What an image URI of a revision resolved to in ECR: the image with its tags, or why not. */
export type ImageLookup = { kind: 'image'; image: EcrImage } | { kind: 'missing'; message: string } | { kind: 'notEcr' };

/** A one-off task family: its latest revision, and the command its newest task ran, if ECS still shows one. */
export interface ImportedMigration {
  family: string;
  taskDefinition: TaggedTaskDefinition;
  /** The newest task of the family ECS still lists (stopped tasks are kept about an hour). */
  lastTask?: EcsTask;
}

/** An alias record that points at one of the services' load balancers, and the record that says who owns it. */
export interface ImportedAlias {
  zone: HostedZone;
  /** Another zone has the same name (public and private): the spec must pin this one. */
  ambiguousZone: boolean;
  record: RecordSet;
  loadBalancer: LoadBalancer;
  /** `steady/resource=AliasRecord/<name>` of the ownership TXT record, when steady wrote one. */
  owner?: { environment?: string; name?: string };
}

/** Everything `steady import` read of one cluster. */
export interface ImportedCluster {
  cluster: string;
  region: string;
  services: ImportedService[];
  /** Services left out, and why (never read: another launch type, several load balancers, ...). */
  skipped: { name: string; why: string }[];
  loadBalancers: LoadBalancer[];
  aliases: ImportedAlias[];
  migrations: ImportedMigration[];
  /** By image URI as the revisions name it. */
  images: Record<string, ImageLookup>;
}

/** `steady:resource=Kind/name` and `steady:environment=env` tags, when steady already manages it. */
export function ownerOf(tags: Record<string, string> | undefined): { environment?: string; name?: string } {
  const resource = tags?.['steady:resource'];
  return { environment: tags?.['steady:environment'], name: resource?.slice(resource.indexOf('/') + 1) };
}

/** Why a service cannot be imported, or undefined when it can. */
function unimportable(svc: EcsService): string | undefined {
  if (svc.launchType && svc.launchType !== 'FARGATE') return `it runs on ${svc.launchType}, and steady manages Fargate services only`;
  const ec2 = svc.capacityProviderStrategy?.find((i) => i.capacityProvider !== 'FARGATE' && i.capacityProvider !== 'FARGATE_SPOT');
  if (ec2) return `its capacity provider ${ec2.capacityProvider} runs tasks on EC2 instances, and steady manages Fargate services only`;
  if (svc.deploymentController === 'EXTERNAL') return 'its deployment controller is EXTERNAL: another tool deploys its task sets';
  if (svc.loadBalancers.length > 1) {
    return `it is bound to ${svc.loadBalancers.length} target groups and a Service spec names one; importing it would remove the others`;
  }
  if (!svc.network) return 'it has no awsvpc network configuration (Fargate needs one)';
  return undefined;
}

/**
 * Reads the cluster. A read that fails fails the import (nothing is half-written); a service that
 * cannot be imported is listed in `skipped` with the reason.
 *
 * @example
 * const reads = importReads(clients, adapters.codedeploy);
 * const cluster = await readCluster({ ...adapters, reads }, { cluster: 'shop-prod', migrations: ['shop-api-db-migrate'] }, 'ap-northeast-1');
 */
export async function readCluster(adapters: Adapters & { reads: ImportReads }, options: ImportOptions, region: string): Promise<ImportedCluster> {
  const { ecs } = adapters;
  const found = await ecs.describeCluster(options.cluster);
  if (!found || found.status !== 'ACTIVE') throw new Error(`ECS cluster ${options.cluster} does not exist in ${region}`);
  const names = options.services?.length ? options.services : (await ecs.listServices(options.cluster)).map((arn) => arn.slice(arn.lastIndexOf('/') + 1));
  const { services, missing } = await ecs.describeServices(options.cluster, names);
  if (missing.length > 0) throw new Error(`no service ${missing.join(', ')} in ECS cluster ${options.cluster}`);
  const out: ImportedCluster = { cluster: options.cluster, region, services: [], skipped: [], loadBalancers: [], aliases: [], migrations: [], images: {} };
  for (const svc of services.filter((s) => s.status === 'ACTIVE').sort((a, b) => a.name.localeCompare(b.name))) {
    const why = unimportable(svc);
    if (why) {
      out.skipped.push({ name: svc.name, why });
      continue;
    }
    out.services.push(await readService(adapters, options.cluster, svc));
  }
  out.migrations = await readMigrations(adapters, options);
  out.images = await readImages(adapters, [...out.services.map((s) => s.taskDefinition), ...out.migrations.map((m) => m.taskDefinition)]);
  const lbArns = [...new Set(out.services.flatMap((s) => s.targetGroups.flatMap((tg) => tg.loadBalancerArns)))];
  out.loadBalancers = lbArns.length ? await adapters.elbv2.loadBalancersByArn(lbArns) : [];
  out.aliases = out.loadBalancers.length ? await readAliases(adapters, out.loadBalancers) : [];
  return out;
}

async function readService(adapters: Adapters & { reads: ImportReads }, cluster: string, service: EcsService): Promise<ImportedService> {
  const arn = servingRevision(service);
  const td = await adapters.ecs.describeTaskDefinition(arn, { tags: true });
  if (!td) throw new Error(`task definition ${arn} of service ${service.name} could not be described`);
  const targetGroups = service.loadBalancers.length ? await adapters.elbv2.targetGroupsByArn(service.loadBalancers.map((b) => b.targetGroupArn)) : [];
  const codeDeploy = service.deploymentController === 'CODE_DEPLOY' ? await adapters.reads.groupOfService(cluster, service.name) : undefined;
  return { service, taskDefinition: { ...td, tags: td.tags ?? {} }, targetGroups, ...(codeDeploy ? { codeDeploy } : {}) };
}

async function readMigrations(adapters: Adapters, options: ImportOptions): Promise<ImportedMigration[]> {
  const out: ImportedMigration[] = [];
  for (const family of options.migrations ?? []) {
    const td = await adapters.ecs.describeTaskDefinition(family, { tags: true });
    if (!td) throw new Error(`task definition family ${family} has no ACTIVE revision`);
    const arns = [
      ...(await adapters.ecs.listTasks(options.cluster, { family, desiredStatus: 'STOPPED' })),
      ...(await adapters.ecs.listTasks(options.cluster, { family, desiredStatus: 'RUNNING' })),
    ];
    const tasks = arns.length ? (await adapters.ecs.describeTasks(options.cluster, arns)).tasks : [];
    const newest = tasks.filter((t) => t.taskDefinitionArn === td.arn).sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
    out.push({ family, taskDefinition: { ...td, tags: td.tags ?? {} }, ...(newest ? { lastTask: newest } : {}) });
  }
  return out;
}

/** The ECR images the revisions run by digest, with the tags that point at them now. */
async function readImages(adapters: Adapters, revisions: TaggedTaskDefinition[]): Promise<Record<string, ImageLookup>> {
  const uris = [...new Set(revisions.flatMap((td) => td.content.containerDefinitions.map((c) => c.image)))];
  const refs = uris.map((uri) => parseImageUri(uri)).filter((ref) => ref.ecr && ref.digest && isDigest(ref.digest));
  const resolved = refs.length ? await adapters.ecr.resolveImages(refs) : new Map();
  const out: Record<string, ImageLookup> = {};
  for (const uri of uris) {
    const r = resolved.get(uri);
    if (r === undefined) out[uri] = { kind: 'notEcr' };
    else if (r instanceof AwsCallError) {
      if (r.awsName !== 'ImageNotFoundException' && r.awsName !== 'RepositoryNotFoundException') throw r;
      out[uri] = { kind: 'missing', message: r.message };
    } else out[uri] = { kind: 'image', image: r };
  }
  return out;
}

/** Alias records, zone by zone, that point at one of `loadBalancers` (`dualstack.`, case and trailing dot aside). */
async function readAliases(adapters: Adapters & { reads: ImportReads }, loadBalancers: LoadBalancer[]): Promise<ImportedAlias[]> {
  const zones = await adapters.reads.allZones();
  const out: ImportedAlias[] = [];
  for (const zone of zones.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))) {
    const records = await adapters.route53.recordSets(zone);
    for (const record of records) {
      if ((record.type !== 'A' && record.type !== 'AAAA') || !record.alias || record.setIdentifier) continue;
      const lb = loadBalancers.find((l) => sameAliasDnsName(l.dnsName, record.alias!.dnsName));
      if (!lb) continue;
      const txt = records.find((r) => r.type === 'TXT' && r.name === `_steady-${record.type.toLowerCase()}.${record.name}`);
      out.push({
        zone,
        ambiguousZone: zones.some((z) => z.name === zone.name && z.id !== zone.id),
        record,
        loadBalancer: lb,
        ...(txt ? { owner: ownerRecord(txt.values ?? []) } : {}),
      });
    }
  }
  return out;
}

/** `"heritage=steady,steady/environment=shop-prod,steady/resource=AliasRecord/api-dns"` -> its environment and name. */
function ownerRecord(values: string[]): { environment?: string; name?: string } {
  const text = values.join('').replace(/"/g, '');
  const env = /steady\/environment=([^,]+)/.exec(text)?.[1];
  const resource = /steady\/resource=AliasRecord\/([^,]+)/.exec(text)?.[1];
  return { ...(env ? { environment: env } : {}), ...(resource ? { name: resource } : {}) };
}
