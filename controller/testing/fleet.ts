/**
 * Fleets: N services on the simulated account, shaped like a real multi-team ECS estate, for the
 * benchmark (bench/) and the tests that need many services. Everything is derived from N, so a size
 * always builds the same world.
 *
 * - Services come in groups of {@link SERVICES_PER_GROUP}. A group shares one ALB (an HTTPS
 *   listener with one host-header rule per service), one ECR repository (a tag per service), and
 *   every service also runs a shared sidecar image (`datadog/agent:7`, one repository for all).
 * - Each service has its own target group and one alias record, spread round-robin over
 *   {@link ZONES} hosted zones.
 * - One Migration per {@link SERVICES_PER_MIGRATION} services (at least one), run from the first
 *   service of its block, which waits for it.
 *
 * The specs go through steady's real loader (YAML text -> `parseSpecFiles`), so the benchmark
 * measures environments that steady would accept from a user. The account's starting state is a
 * fixture with what steady does not create (cluster, repositories and images, target groups,
 * ALBs, zones); steady's first pass creates the rest.
 */
import { stringify } from 'yaml';
import type { DesiredEnvironment } from '../model/plan.js';
import { SimAccount } from '../sim/account.js';
import type { SimFixture } from '../sim/fixture.js';
import { formatProblem, parseSpecFiles, type SpecFile } from '../spec/load.js';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'ap-northeast-1';
export const SERVICES_PER_GROUP = 10;
export const ZONES = 3;
export const SERVICES_PER_MIGRATION = 100;
/** A budget large enough for the first pass of the largest benchmark environment. */
export const BENCH_CHANGE_BUDGET = 10000;

const SIDECAR_REPOSITORY = 'datadog/agent';
const SIDECAR_TAG = '7';
const certificate = (l: Placed) => `arn:aws:acm:${l.region}:${l.accountId}:certificate/0b7e4a2c-1111-4c4c-9d9d-0123456789ab`;
const executionRole = (l: Placed) => `arn:aws:iam::${l.accountId}:role/bench-ecs-execution`;

/** Where a layout lives: its account and Region. */
interface Placed {
  accountId: string;
  region: string;
}

/**
 * Where a fleet is placed and what its names start with, for many fleets in one simulated
 * organisation (bench/organisation.ts): each environment's names (families, ALBs, target groups,
 * repositories, zones) are its own, so fleets can share an account and Region.
 */
export interface FleetPlacement extends Placed {
  environment: string;
  /** The Environment's `roleArn` and `externalId`, when it lives in another account than the controller's. */
  role?: { roleArn: string; externalId: string };
}

/** One service of the layout, with the names of everything it uses. */
export interface BenchService {
  index: number;
  name: string;
  group: number;
  repository: string;
  tag: string;
  targetGroup: string;
  loadBalancer: string;
  zone: string;
  record: string;
  /** The migration this service waits for, if it is the first of a migration block. */
  migration?: string;
}

/** Everything the scenarios and the minimum formulas need to know about one size. */
export interface BenchLayout extends Placed {
  size: number;
  environment: string;
  role?: FleetPlacement['role'];
  cluster: string;
  services: BenchService[];
  loadBalancers: string[];
  targetGroups: string[];
  zones: string[];
  /** Repository -> the distinct tags the specs reference in it. */
  repositories: Record<string, string[]>;
  migrations: { name: string; service: string }[];
  sidecarRepository: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * The names and relations of a benchmark environment of `size` services.
 *
 * @example
 * const layout = benchLayout(100); // 10 ALBs, 100 target groups, 3 zones, 11 repositories, 1 migration
 */
export function benchLayout(size: number, placement?: FleetPlacement): BenchLayout {
  if (!Number.isInteger(size) || size < 1) throw new Error(`expected a positive number of services, got ${size}`);
  const environment = placement?.environment ?? `bench-${size}`;
  // A placed fleet's names start with its environment's; the single benchmark environment keeps the short ones.
  const p = placement ? `${placement.environment}-` : '';
  const zones = Array.from({ length: Math.min(ZONES, size) }, (_, z) => `${placement ? placement.environment : `bench-${size}`}-${z}.example.com`);
  const services: BenchService[] = [];
  const repositories: Record<string, string[]> = { [`${p}${SIDECAR_REPOSITORY}`]: [SIDECAR_TAG] };
  const migrations: BenchLayout['migrations'] = [];
  for (let i = 0; i < size; i++) {
    const name = `${p}svc-${pad(i, 4)}`;
    const group = Math.floor(i / SERVICES_PER_GROUP);
    const repository = `${p}team-${pad(group, 3)}/app`;
    const zone = zones[i % zones.length];
    const migration = i % SERVICES_PER_MIGRATION === 0 ? `migrate-${pad(i / SERVICES_PER_MIGRATION, 2)}` : undefined;
    if (migration) migrations.push({ name: migration, service: name });
    (repositories[repository] ??= []).push(name);
    services.push({
      index: i,
      name,
      group,
      repository,
      tag: name,
      targetGroup: `tg-${name}`,
      loadBalancer: `${p}alb-${pad(group, 3)}`,
      zone,
      record: `${name}.${zone}`,
      ...(migration ? { migration } : {}),
    });
  }
  return {
    size,
    environment,
    accountId: placement?.accountId ?? ACCOUNT_ID,
    region: placement?.region ?? REGION,
    ...(placement?.role ? { role: placement.role } : {}),
    sidecarRepository: `${p}${SIDECAR_REPOSITORY}`,
    cluster: environment,
    services,
    loadBalancers: [...new Set(services.map((s) => s.loadBalancer))],
    targetGroups: services.map((s) => s.targetGroup),
    zones,
    repositories,
    migrations,
  };
}

/** The image URI a service's spec names (a tag, which steady pins to a digest), in the layout's account and Region. */
export function imageUri(repository: string, tag: string, at: Placed = { accountId: ACCOUNT_ID, region: REGION }): string {
  return `${at.accountId}.dkr.ecr.${at.region}.amazonaws.com/${repository}:${tag}`;
}

// ------------------------------------------------------------------------------------ specs

/**
 * The spec files of a layout: the Environment, then one file per service group (a team's
 * services, aliases and migrations), as a team would keep them. Files stay well under the
 * loader's 1 MiB limit at any size.
 */
export function benchSpecFiles(layout: BenchLayout, options: FleetOptions = {}): SpecFile[] {
  const env = layout.environment;
  const files: SpecFile[] = [
    {
      path: `${env}/environment.yaml`,
      content: stringify({
        apiVersion: 'steady.dev/v1alpha1',
        kind: 'Environment',
        metadata: { name: env },
        spec: {
          region: layout.region,
          cluster: layout.cluster,
          ...(layout.role ? { account: layout.accountId, roleArn: layout.role.roleArn, externalId: layout.role.externalId } : {}),
          mode: 'enforce',
          changeBudget: options.changeBudget ?? BENCH_CHANGE_BUDGET,
          ...(options.stepwise ? { stepwiseCreation: true } : {}),
          tags: { team: 'bench' },
          ...(options.rotationMinutes ? { wiring: { rotationMinutes: options.rotationMinutes } } : {}),
        },
      }),
    },
  ];
  const groups = new Map<number, BenchService[]>();
  for (const s of layout.services) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  for (const [group, services] of groups) {
    const docs: unknown[] = [];
    for (const s of services) {
      docs.push(serviceDoc(layout, s));
      docs.push({
        apiVersion: 'steady.dev/v1alpha1',
        kind: 'AliasRecord',
        metadata: { name: `${s.name}-dns`, environment: env },
        spec: { zone: s.zone, name: s.record, type: 'A', target: { loadBalancer: s.loadBalancer } },
      });
      if (s.migration) {
        docs.push({
          apiVersion: 'steady.dev/v1alpha1',
          kind: 'Migration',
          metadata: { name: s.migration, environment: env },
          spec: { fromService: s.name, container: 'app', command: ['./manage', 'migrate'], timeoutSeconds: 600 },
        });
      }
    }
    // Block style, as people write it: 9.1 MB at 5,000 services, within the 12 MiB a spec set may have.
    files.push({ path: `${env}/team-${pad(group, 3)}.yaml`, content: docs.map((d) => stringify(d)).join('---\n') });
  }
  return files;
}

function serviceDoc(layout: BenchLayout, s: BenchService) {
  const env = layout.environment;
  const { region, accountId } = layout;
  return {
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: s.name, environment: env },
    spec: {
      desiredCount: 2,
      ...(s.migration ? { after: [s.migration] } : {}),
      loadBalancer: { targetGroup: s.targetGroup, containerName: 'app', containerPort: 8080 },
      healthCheckGracePeriodSeconds: 30,
      network: { subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829'], securityGroups: ['sg-0c3d4e5f607182930'] },
      taskDefinition: {
        family: s.name,
        cpu: '512',
        memory: '1 GB',
        executionRoleArn: executionRole(layout),
        containers: [
          {
            name: 'app',
            image: imageUri(s.repository, s.tag, layout),
            portMappings: [{ containerPort: 8080 }],
            environment: { APP_ENV: 'production', SERVICE_NAME: s.name, DD_AGENT_HOST: 'localhost' },
            secrets: { DATABASE_URL: `arn:aws:secretsmanager:${region}:${accountId}:secret:${env}/${s.name}/database-url-Ab12Cd` },
            healthCheck: { command: ['CMD-SHELL', 'curl -fsS http://localhost:8080/health || exit 1'] },
            logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${env}/${s.name}`, 'awslogs-region': region, 'awslogs-stream-prefix': 'app' } },
          },
          {
            name: 'datadog-agent',
            image: imageUri(layout.sidecarRepository, SIDECAR_TAG, layout),
            essential: false,
            portMappings: [{ containerPort: 8126 }],
            environment: { ECS_FARGATE: 'true', DD_APM_ENABLED: 'true' },
          },
        ],
      },
    },
  };
}

/** How a fleet's Environment differs from the benchmark's default. */
export interface FleetOptions {
  changeBudget?: number;
  /** The Environment's `stepwise`: a first pass larger than the budget goes in budget-sized steps. */
  stepwise?: boolean;
  rotationMinutes?: number;
}

/** The layout's specs as steady loads them. */
export function benchDesired(layout: BenchLayout, options: FleetOptions = {}): DesiredEnvironment {
  const loaded = parseSpecFiles(benchSpecFiles(layout, options));
  if (!loaded.ok) throw new Error(`benchmark specs are invalid:\n${loaded.problems.slice(0, 10).map(formatProblem).join('\n')}`);
  return loaded.specSet.environments.find((e) => e.name === layout.environment)!;
}

// ---------------------------------------------------------------------------------- account

/** What exists before steady's first pass: cluster, images, target groups, ALBs, empty zones. */
export function benchFixture(layout: BenchLayout): SimFixture {
  const byLb = new Map<string, BenchService[]>();
  for (const s of layout.services) byLb.set(s.loadBalancer, [...(byLb.get(s.loadBalancer) ?? []), s]);
  return {
    accountId: layout.accountId,
    region: layout.region,
    ecr: { repositories: Object.fromEntries(Object.entries(layout.repositories).map(([repo, tags]) => [repo, tags.map((tag) => ({ tags: [tag] }))])) },
    elbv2: {
      targetGroups: layout.services.map((s) => ({ name: s.targetGroup, port: 8080, healthCheckPath: '/health' })),
      loadBalancers: [...byLb].map(([name, services]) => ({
        name,
        listeners: [
          {
            port: 443,
            certificate: certificate(layout),
            forward: services[0].targetGroup,
            rules: services.map((s, k) => ({ priority: k + 1, hostHeader: s.record, forward: s.targetGroup })),
          },
        ],
      })),
    },
    route53: { zones: layout.zones.map((name) => ({ name })) },
    ecs: { clusters: [layout.cluster] },
  };
}

/** A benchmark environment: its layout, the specs as steady loaded them, and the seeded account. */
export interface BenchEnvironment {
  layout: BenchLayout;
  desired: DesiredEnvironment;
  account: SimAccount;
}

/**
 * Builds the environment of `size` services on a fresh simulated account.
 *
 * @example
 * const { account, desired } = buildEnvironment(10);
 * const clients = account.clients();
 */
export function buildEnvironment(size: number, options: FleetOptions & { seed?: number; rateLimits?: boolean } = {}): BenchEnvironment {
  const layout = benchLayout(size);
  const fixture = benchFixture(layout);
  const account = new SimAccount({ accountId: fixture.accountId, region: fixture.region, seed: options.seed ?? 9, rateLimits: options.rateLimits }).seed(fixture);
  return { layout, desired: benchDesired(layout, options), account };
}
