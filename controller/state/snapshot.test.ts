/**
 * What a snapshot keeps of each kind of resource (state/snapshot.ts), from ActualStates written
 * here by hand: what `steady status --show` and the reports show of what AWS looked like. Written
 * for the paths no state/ test ran (migrations, scheduled tasks, maintenance, aliases without a
 * spec, the environment, the encoding).
 */
import { describe, expect, it } from 'vitest';
import { emptyActualState, type ActualState } from '../model/actual.js';
import type { EcsTask } from '../model/aws.js';
import type { DesiredEnvironment, ResourceStatus } from '../model/plan.js';
import { decodeSnapshot, encodeSnapshot, snapshotEnvironment, snapshotResource } from './snapshot.js';

const ENV = 'shop';
const AT = Date.UTC(2026, 0, 2, 12);
const TD = 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition';

const status = (kind: ResourceStatus['kind'], name: string) => ({ resource: `${kind}/${name}`, kind, name, phase: 'Synced', reason: 'UpToDate', message: '', diff: [], specHash: '' }) as ResourceStatus;

function actual(fill: Partial<ActualState> = {}): ActualState {
  return { ...emptyActualState(ENV, AT), ...fill };
}

const revision = (family: string, n: number, tags: Record<string, string> = {}) =>
  ({
    arn: `${TD}/${family}:${n}`,
    family,
    revision: n,
    status: 'ACTIVE',
    content: { family, containerDefinitions: [{ name: 'app', image: `repo/${family}:v${n}` }, { name: 'log', image: 'fluent-bit:3' }] },
    tags,
  }) as never;

function task(i: number, extra: Partial<EcsTask> = {}): EcsTask {
  return {
    arn: `arn:aws:ecs:ap-northeast-1:123456789012:task/shop/t${i}`,
    clusterArn: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/shop',
    taskDefinitionArn: `${TD}/shop-db:4`,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    startedBy: 'steady/db/v4',
    group: 'family:shop-db',
    createdAt: AT - i * 1000,
    startedAt: AT - i * 1000 + 10,
    stoppedAt: AT - i * 1000 + 20,
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    privateIp: '10.0.0.1',
    containers: [
      { name: 'app', exitCode: i, lastStatus: 'STOPPED' },
      { name: 'log', lastStatus: 'STOPPED' },
    ] as EcsTask['containers'],
    tags: {},
    ...extra,
  };
}

/** What a snapshot keeps of a task: no cluster, group, IP or tags; each container's exit code, null while it has none. */
const summary = (i: number) => ({
  arn: `arn:aws:ecs:ap-northeast-1:123456789012:task/shop/t${i}`,
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  startedBy: 'steady/db/v4',
  createdAt: AT - i * 1000,
  startedAt: AT - i * 1000 + 10,
  stoppedAt: AT - i * 1000 + 20,
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  exitCodes: { app: i, log: null },
});

describe('a Migration snapshot', () => {
  it('keeps the latest revision (family:revision, tags, images) and the ten newest tasks, summarised', () => {
    const a = actual({
      migrations: { db: { latest: revision('shop-db', 4, { 'steady:migration-version': 'v4' }), tasks: Array.from({ length: 12 }, (_, i) => task(i)) } },
      unreadable: [{ what: 'tasks of shop-db', affects: ['Migration/db'], awsName: 'ThrottlingException', message: 'slow down', transient: true }],
    });

    expect(snapshotResource(a, status('Migration', 'db'))).toEqual({
      resource: 'Migration/db',
      observedAt: AT,
      unreadable: [{ what: 'tasks of shop-db', awsName: 'ThrottlingException', message: 'slow down' }],
      found: true,
      kind: 'Migration',
      latest: { arn: `${TD}/shop-db:4`, revision: 'shop-db:4', tags: { 'steady:migration-version': 'v4' }, images: { app: 'repo/shop-db:v4', log: 'fluent-bit:3' } },
      tasks: Array.from({ length: 10 }, (_, i) => summary(i)),
    });
  });

  it('says when no revision exists, and when the migration was not read', () => {
    const a = actual({ migrations: { db: { latest: null, tasks: [] } } });

    expect(snapshotResource(a, status('Migration', 'db'))).toEqual({ resource: 'Migration/db', observedAt: AT, found: true, kind: 'Migration', latest: null, tasks: [] });
    expect(snapshotResource(a, status('Migration', 'seed'))).toEqual({ resource: 'Migration/seed', observedAt: AT, found: false, why: 'migration seed was not read' });
  });
});

describe('a ScheduledTask snapshot', () => {
  it('keeps the schedule, the latest revision and the ten newest runs', () => {
    const schedule = { arn: 'arn:aws:scheduler:ap-northeast-1:123456789012:schedule/steady/shop-report', name: 'shop-report', group: 'steady', expression: 'cron(0 3 * * ? *)', createdAt: 1, modifiedAt: 2 } as never;
    const a = actual({ scheduledTasks: { report: { schedule, latest: revision('shop-report', 2), runs: Array.from({ length: 11 }, (_, i) => task(i)) } } });

    expect(snapshotResource(a, status('ScheduledTask', 'report'))).toEqual({
      resource: 'ScheduledTask/report',
      observedAt: AT,
      found: true,
      kind: 'ScheduledTask',
      schedule,
      latest: { arn: `${TD}/shop-report:2`, revision: 'shop-report:2', tags: {}, images: { app: 'repo/shop-report:v2', log: 'fluent-bit:3' } },
      runs: Array.from({ length: 10 }, (_, i) => summary(i)),
    });
  });

  it('has no runs when they were not read, no latest when none exists, and says when the task was not read', () => {
    const a = actual({ scheduledTasks: { report: { schedule: null, latest: null } } });

    expect(snapshotResource(a, status('ScheduledTask', 'report'))).toEqual({ resource: 'ScheduledTask/report', observedAt: AT, found: true, kind: 'ScheduledTask', schedule: null, latest: null, runs: [] });
    expect(snapshotResource(a, status('ScheduledTask', 'nightly'))).toEqual({ resource: 'ScheduledTask/nightly', observedAt: AT, found: false, why: 'scheduled task nightly was not read' });
  });
});

describe('a Service snapshot', () => {
  const service = (name: string, events: number) =>
    ({ arn: `arn:svc/${name}`, name, status: 'ACTIVE', taskDefinitionArn: `${TD}/shop-api:7`, loadBalancers: [], tags: {}, events: Array.from({ length: events }, (_, i) => ({ id: `e${i}`, createdAt: i, message: `event ${i}` })) }) as never;
  const desired = { name: ENV, services: [{ metadata: { name: 'api' }, spec: { serviceName: 'shop-api' } }], aliases: [] } as unknown as DesiredEnvironment;

  it("finds the service by the spec's serviceName, keeps its five newest events and the images of the revision it runs", () => {
    const a = actual({ services: { 'shop-api': service('shop-api', 7) }, taskDefinitions: { [`${TD}/shop-api:7`]: revision('shop-api', 7) } });

    const snap = snapshotResource(a, status('Service', 'api'), desired) as Record<string, any>;

    expect(snap).toMatchObject({ found: true, kind: 'Service', targetGroups: [] });
    expect(snap.service.name).toBe('shop-api');
    expect(snap.service.events.map((e: { id: string }) => e.id)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(snap.taskDefinition).toEqual({ arn: `${TD}/shop-api:7`, revision: 'shop-api:7', images: { app: 'repo/shop-api:v7', log: 'fluent-bit:3' } });
  });

  it('says whether the service does not exist or was not read, by its AWS name', () => {
    expect(snapshotResource(actual({ services: { 'shop-api': null } }), status('Service', 'api'), desired)).toEqual({
      resource: 'Service/api',
      observedAt: AT,
      found: false,
      why: 'ECS service shop-api does not exist',
    });
    expect(snapshotResource(actual(), status('Service', 'api'), desired)).toEqual({ resource: 'Service/api', observedAt: AT, found: false, why: 'ECS service shop-api was not read' });
    expect(snapshotResource(actual({ services: { 'shop-api': null } }), status('Service', 'api'))).toMatchObject({ why: 'ECS service api was not read' });
  });

  it('has no images for a revision that was not described, and no name or load balancers for a target group that was not read', () => {
    const svc = { ...(service('api', 0) as object), loadBalancers: [{ targetGroupArn: 'arn:tg/unread', containerName: 'app', containerPort: 80 }] } as never;
    const snap = snapshotResource(actual({ services: { api: svc } }), status('Service', 'api')) as Record<string, any>;

    expect(snap.taskDefinition).toEqual({ arn: `${TD}/shop-api:7`, revision: 'shop-api:7', images: {} });
    expect(snap.targetGroups).toEqual([{ arn: 'arn:tg/unread', name: undefined, loadBalancers: [] }]);
  });
});

describe('an AliasRecord snapshot', () => {
  const owner = (resource: string, environment = ENV) => `"heritage=steady,steady/environment=${environment},steady/resource=${resource}"`;
  const zone = (id: string, records: unknown[]) => ({ zone: { id, name: 'example.com', private: false, recordCount: records.length }, records }) as never;
  const api = { name: 'api.example.com', type: 'AAAA', alias: { dnsName: 'lb.example', hostedZoneId: 'Z1', evaluateTargetHealth: true } };
  const apiA = { ...api, type: 'A' };
  const txt = { name: '_steady-aaaa.api.example.com', type: 'TXT', ttl: 300, values: [owner('AliasRecord/api')] };
  const other = { name: 'www.example.com', type: 'A', alias: api.alias };

  it('without a spec, finds the record whose ownership TXT names this resource of this environment, and reads its name and type from it', () => {
    const a = actual({
      zones: {
        first: zone('Z0', [{ ...txt, values: [owner('AliasRecord/api', 'staging')] }, { name: '_steady-a.x.example.com', type: 'TXT', values: [owner('AliasRecord/x')] }, { name: '_steady-aaaa.api.example.com', type: 'TXT' }]),
        second: zone('Z2', [other, apiA, txt, api]),
      },
    });

    expect(snapshotResource(a, status('AliasRecord', 'api'))).toEqual({
      resource: 'AliasRecord/api',
      observedAt: AT,
      found: true,
      kind: 'AliasRecord',
      zone: { id: 'Z2', name: 'example.com', private: false },
      records: [txt, api],
    });
  });

  it('without a spec, says when no record is owned by this resource', () => {
    const a = actual({ zones: { first: zone('Z0', [other, { ...txt, values: [owner('AliasRecord/api', 'staging')] }]), gone: null } });

    expect(snapshotResource(a, status('AliasRecord', 'api'))).toEqual({ resource: 'AliasRecord/api', observedAt: AT, found: false, why: 'no record owned by this resource was seen' });
  });

  it("with a spec, reads the spec's zone (its id before its name) and record, and the target as observed", () => {
    const desired = {
      name: ENV,
      services: [],
      aliases: [
        { metadata: { name: 'api' }, spec: { name: 'API.example.com.', type: 'AAAA', zone: 'example.com', zoneId: 'Z2', target: { loadBalancer: 'shop-alb' } } },
        { metadata: { name: 'cdn' }, spec: { name: 'cdn.example.com', type: 'A', zone: 'example.com', target: { cloudFront: 'E123' } } },
        { metadata: { name: 'gone' }, spec: { name: 'gone.example.com', type: 'A', zone: 'example.com', target: { loadBalancer: 'no-such-alb' } } },
      ],
    } as unknown as DesiredEnvironment;
    const cdnTxt = { name: '_steady-a.cdn.example.com', type: 'TXT', values: [owner('AliasRecord/cdn')] };
    const cdn = { name: 'cdn.example.com', type: 'A', alias: { dnsName: 'd111.cloudfront.net', hostedZoneId: 'Z2FDTNDATAQYW2', evaluateTargetHealth: false } };
    const a = actual({
      zones: { 'example.com': zone('Z9', [cdn, cdnTxt]), Z2: zone('Z2', [apiA, api, other, txt]) },
      loadBalancers: { 'shop-alb': { name: 'shop-alb', dnsName: 'shop-alb-1.ap-northeast-1.elb.amazonaws.com' } as never },
      distributions: { E123: { id: 'E123', domainName: 'd111.cloudfront.net' } as never },
    });

    expect(snapshotResource(a, status('AliasRecord', 'api'), desired)).toEqual({
      resource: 'AliasRecord/api',
      observedAt: AT,
      found: true,
      kind: 'AliasRecord',
      zone: { id: 'Z2', name: 'example.com', private: false },
      records: [api, txt],
      target: { kind: 'loadBalancer', name: 'shop-alb', dnsName: 'shop-alb-1.ap-northeast-1.elb.amazonaws.com' },
    });
    expect(snapshotResource(a, status('AliasRecord', 'cdn'), desired)).toMatchObject({
      zone: { id: 'Z9' },
      records: [cdn, cdnTxt],
      target: { kind: 'cloudFront', name: 'E123', dnsName: 'd111.cloudfront.net' },
    });
    expect(snapshotResource(a, status('AliasRecord', 'gone'), desired)).toMatchObject({ records: [], target: { kind: 'loadBalancer', name: 'no-such-alb', dnsName: null } });
    expect(snapshotResource(actual({ distributions: {}, zones: a.zones }), status('AliasRecord', 'cdn'), desired)).toMatchObject({ target: { kind: 'cloudFront', dnsName: null } });
  });

  it("with a spec whose zone was not read, says which zone", () => {
    const desired = {
      name: ENV,
      services: [],
      aliases: [
        { metadata: { name: 'api' }, spec: { name: 'api.example.com', zone: 'example.com', zoneId: 'Z2', target: { loadBalancer: 'shop-alb' } } },
        { metadata: { name: 'www' }, spec: { name: 'www.example.com', zone: 'example.com', target: { loadBalancer: 'shop-alb' } } },
      ],
    } as unknown as DesiredEnvironment;
    const a = actual({ zones: { 'example.com': null, Z9: zone('Z9', [other]) } });

    expect(snapshotResource(a, status('AliasRecord', 'api'), desired)).toEqual({ resource: 'AliasRecord/api', observedAt: AT, found: false, why: 'hosted zone Z2 was not found or not read' });
    expect(snapshotResource(a, status('AliasRecord', 'www'), desired)).toMatchObject({ found: false, why: 'hosted zone example.com was not found or not read' });
  });
});

describe('a Maintenance snapshot', () => {
  const distribution = {
    id: 'E123',
    status: 'Deployed',
    config: {
      DefaultCacheBehavior: { TargetOriginId: 'maintenance-page' },
      CacheBehaviors: { Items: [{ PathPattern: '/api/*', TargetOriginId: 'api' }] },
      CustomErrorResponses: { Items: [{ ErrorCode: 503, ResponsePagePath: '/503.html', ResponseCode: '503' }] },
    },
    tags: { 'steady:maintenance': 'on', team: 'shop' },
  };
  const listener = { arn: 'arn:listener/1', protocol: 'HTTPS', port: 443 };
  const rules = [
    { arn: 'r1', priority: '1', isDefault: false, conditions: [{ field: 'path-pattern', values: ['/*'] }], actions: [{ type: 'fixed-response', targetGroups: [], fixedResponse: { statusCode: '503', contentType: 'text/html' } }], tags: { 'steady:maintenance': 'page' } },
    { arn: 'r2', priority: '2', isDefault: false, conditions: [], actions: [{ type: 'fixed-response', targetGroups: [], fixedResponse: { statusCode: '404' } }] },
    { arn: 'r3', priority: '3', isDefault: false, conditions: [{ field: 'host-header', values: ['a.example.com'] }], actions: [{ type: 'forward', targetGroups: [{ arn: 'tg-1', weight: 1 }, { arn: 'tg-2', weight: 1 }] }, { type: 'forward', targetGroups: [{ arn: 'tg-3', weight: 1 }] }] },
    { arn: 'rd', priority: 'default', isDefault: true, conditions: [], actions: [{ type: 'forward', targetGroups: [{ arn: 'tg-1', weight: 1 }] }] },
  ];

  it("keeps the distribution's behaviours, error responses and steady's tags, and the listener's non-default rules and what they answer", () => {
    const a = actual({ maintenance: { page: { distribution, listener, rules } as never } });

    expect(snapshotResource(a, status('Maintenance', 'page'))).toEqual({
      resource: 'Maintenance/page',
      observedAt: AT,
      found: true,
      kind: 'Maintenance',
      distribution: { id: 'E123', status: 'Deployed', behaviors: { '*': 'maintenance-page', '/api/*': 'api' }, errorResponses: [{ ErrorCode: 503, ResponsePagePath: '/503.html', ResponseCode: '503' }], tags: { 'steady:maintenance': 'on' } },
      listener: {
        arn: 'arn:listener/1',
        label: 'HTTPS:443',
        rules: [
          { priority: '1', conditions: [{ field: 'path-pattern', values: ['/*'] }], answers: '503 text/html', tags: { 'steady:maintenance': 'page' } },
          { priority: '2', conditions: [], answers: '404' },
          { priority: '3', conditions: [{ field: 'host-header', values: ['a.example.com'] }], answers: 'forward tg-1, tg-2; forward tg-3' },
        ],
      },
    });
  });

  it('says a missing distribution or listener is null, leaves out what was not read, and says when nothing was read', () => {
    const a = actual({ maintenance: { gone: { distribution: null, listener: null }, cf: { distribution: { ...distribution, config: { DefaultCacheBehavior: { TargetOriginId: 'shop' } } } } as never, lb: { listener } as never } });

    expect(snapshotResource(a, status('Maintenance', 'gone'))).toEqual({ resource: 'Maintenance/gone', observedAt: AT, found: true, kind: 'Maintenance', distribution: null, listener: null });
    expect(snapshotResource(a, status('Maintenance', 'cf'))).toEqual({
      resource: 'Maintenance/cf',
      observedAt: AT,
      found: true,
      kind: 'Maintenance',
      distribution: { id: 'E123', status: 'Deployed', behaviors: { '*': 'shop' }, errorResponses: [], tags: { 'steady:maintenance': 'on' } },
    });
    expect(snapshotResource(a, status('Maintenance', 'lb'))).toEqual({ resource: 'Maintenance/lb', observedAt: AT, found: true, kind: 'Maintenance', listener: { arn: 'arn:listener/1', label: 'HTTPS:443', rules: [] } });
    expect(snapshotResource(a, status('Maintenance', 'other'))).toEqual({ resource: 'Maintenance/other', observedAt: AT, found: false, why: 'nothing of this maintenance was read' });
  });
});

describe('other snapshots', () => {
  it('a wiring check has none of its own', () => {
    expect(snapshotResource(actual(), status('Wiring', 'api'))).toEqual({ resource: 'Wiring/api', observedAt: AT, found: false, why: 'a wiring check reads the resources the other snapshots show' });
  });

  it("the environment's: the cluster (or null, or unread), counts, and everything that could not be read with what it affects", () => {
    const cluster = { arn: 'arn:cluster/shop', name: 'shop', status: 'ACTIVE', tags: { team: 'shop' } };
    const a = actual({
      cluster,
      services: { api: null, web: null },
      taskDefinitions: { x: revision('x', 1) },
      zones: { z: null },
      migrations: { db: { latest: null, tasks: [] } },
      loadBalancers: { a: null, b: null, c: null },
      unreadable: [{ what: 'zone z', affects: ['AliasRecord/api'], awsName: 'AccessDenied', message: 'no', transient: false, cause: 'accessDenied' } as never],
    });

    expect(snapshotEnvironment(a)).toEqual({
      resource: 'Environment/shop',
      observedAt: AT,
      found: true,
      kind: 'Environment',
      cluster: { arn: 'arn:cluster/shop', name: 'shop', status: 'ACTIVE' },
      counts: { services: 2, taskDefinitions: 1, zones: 1, migrations: 1, loadBalancers: 3 },
      unreadable: [{ what: 'zone z', awsName: 'AccessDenied', message: 'no', affects: ['AliasRecord/api'] }],
    });
    expect(snapshotEnvironment(actual({ cluster: null })).cluster).toBeNull();
    expect(snapshotEnvironment(actual()).cluster).toBe('unread');
  });
});

describe('the encoding', () => {
  it('compresses and cuts a snapshot into parts of at most the given size that decode back to it', () => {
    // Text that does not compress much: many parts.
    let seed = 7;
    const noise = Array.from({ length: 4000 }, () => ((seed = (seed * 48271) % 2147483647), seed.toString(36))).join(' ');
    const snapshot = { resource: 'Service/api', noise };

    const parts = encodeSnapshot(snapshot, 1024);

    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts.slice(0, -1)) expect(p.length).toBe(1024);
    expect(parts.at(-1)!.length).toBeGreaterThan(0);
    expect(parts.at(-1)!.length).toBeLessThanOrEqual(1024);
    expect(decodeSnapshot(parts)).toEqual(snapshot);
  });

  it('keeps a small snapshot in one part', () => {
    const parts = encodeSnapshot({ resource: 'Service/api', found: false, why: 'x' });

    expect(parts).toHaveLength(1);
    expect(decodeSnapshot(parts)).toEqual({ resource: 'Service/api', found: false, why: 'x' });
  });
});
