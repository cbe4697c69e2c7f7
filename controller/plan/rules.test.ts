/**
 * The planner's safety rules, one test per rule, each written to fail when the rule breaks
 * (mutation testing found every one of these unguarded; see docs/mutation.md): ownership of
 * services and alias records, the migration gates, rollout-failure memory, revision reuse, the
 * drift steady must see, and the paths where something is missing or unreadable.
 */
import { describe, expect, it } from 'vitest';
import type { ActualState } from '../model/actual.js';
import {
  TAG_ENVIRONMENT,
  TAG_MIGRATION_ATTEMPT,
  TAG_MIGRATION_RESULT,
  TAG_MIGRATION_VERSION,
  TAG_RESOURCE,
  TAG_ROLLOUT,
  type Action,
  type DesiredEnvironment,
  type Plan,
} from '../model/plan.js';
import { aliasRecordSchema } from '../spec/schema.js';
import { DIGEST_B, desiredShop, LB_DNS, POLICY, REPO, syncedActual, runningMigrationTask, ZONE_ID } from '../testing/plan-fixtures.js';
import { ownerRecordName, ownerRecordValue, plan, policyFor } from './plan.js';

const api = (actual: ActualState) => actual.services['api']!;
const brief = (p: Plan) => p.actions.map((a) => `${a.kind} ${a.id}${a.dependsOn.length ? ` <- ${a.dependsOn.join(',')}` : ''}`);
const statusOf = (p: Plan, resource: string) => p.resources.find((r) => r.resource === resource)!;
const actionsOf = (p: Plan, resource: string) => p.actions.filter((a) => a.resource === resource);
const run = (desired: DesiredEnvironment, actual: ActualState) => plan(desired, actual, policyFor(desired, POLICY));

function pushNewImage(actual: ActualState) {
  actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };
}

/** The shop without its migration: rollouts are not gated. */
function ungated(): DesiredEnvironment {
  const desired = desiredShop();
  desired.services[0].spec.after = [];
  desired.migrations = [];
  return desired;
}

/** Adds to `actual` revision `revision` of shop-api: revision 7's content with `edit` applied. */
function revision(actual: ActualState, rev: number, edit: (c: ActualState['taskDefinitions'][string]['content']) => void, status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE') {
  const current = actual.taskDefinitions[api(actual).taskDefinitionArn];
  const content = structuredClone(current.content);
  edit(content);
  const td = { ...current, arn: current.arn.replace(/:7$/, `:${rev}`), revision: rev, status, content };
  actual.taskDefinitions[td.arn] = td;
  actual.familyRevisions['shop-api'] = [td.arn, ...(actual.familyRevisions['shop-api'] ?? [current.arn])];
  return td;
}

/** The shop without its migration, a new image pushed and registered as revision 8 (`pushed`), which the service does not run yet. */
function pushedShop() {
  const desired = ungated();
  const actual = syncedActual(desired);
  pushNewImage(actual);
  const pushed = revision(actual, 8, (c) => void (c.containerDefinitions[0].image = `${REPO}@${DIGEST_B}`));
  return { desired, actual, pushed };
}

describe('ownership: steady changes only what it owns or a spec adopts', () => {
  it.each([
    ['another environment', { [TAG_ENVIRONMENT]: 'shop-staging' }, 'shop-staging Service/api'],
    ['another resource of this environment', { [TAG_RESOURCE]: 'Service/web' }, 'shop-prod Service/web'],
  ])('a service tagged by steady for %s is a Conflict and is never changed, even with adopt: true', (_what, tags, owner) => {
    for (const adopt of [false, true]) {
      const desired = desiredShop({ adopt });
      const actual = syncedActual(desired);
      Object.assign(api(actual).tags, tags);
      api(actual).desiredCount = 0;
      pushNewImage(actual);

      const p = run(desired, actual);

      expect(actionsOf(p, 'Service/api')).toEqual([]);
      expect(statusOf(p, 'Service/api')).toMatchObject({
        phase: 'Failed',
        reason: 'Conflict',
        message: `ECS service api is managed by steady for ${owner}; steady leaves it alone`,
      });
    }
  });

  it('a service steady did not create is a Conflict without adopt: true, and is never changed', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    for (const k of Object.keys(api(actual).tags)) if (k.startsWith('steady:')) delete api(actual).tags[k];
    api(actual).desiredCount = 0;
    pushNewImage(actual);

    const p = run(desired, actual);

    expect(actionsOf(p, 'Service/api')).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({
      phase: 'Failed',
      reason: 'Conflict',
      message: 'ECS service api exists in cluster shop-prod but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it',
    });
  });

  it.each([
    ['another environment', ownerRecordValue('shop-staging', 'AliasRecord/api-dns'), 'shop-staging AliasRecord/api-dns'],
    ['another resource of this environment', ownerRecordValue('shop-prod', 'AliasRecord/www-dns'), 'shop-prod AliasRecord/www-dns'],
  ])('an alias record whose TXT owner names %s is a Conflict and is never changed', (_what, owner, who) => {
    const desired = desiredShop({ adopt: true });
    desired.aliases[0].spec.adopt = true;
    const actual = syncedActual(desired);
    const txt = actual.zones['example.com']!.records.find((r) => r.name === ownerRecordName('A', 'api.example.com'))!;
    txt.values = [owner];
    actual.loadBalancers['shop-api-alb']!.dnsName = 'shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com';

    const p = run(desired, actual);

    expect(actionsOf(p, 'AliasRecord/api-dns')).toEqual([]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({
      phase: 'Failed',
      reason: 'Conflict',
      message: `api.example.com A is managed by steady for ${who}; steady leaves it alone`,
    });
  });

  it("an owner TXT record is read by steady's value among others; one without it names no owner", () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const txt = actual.zones['example.com']!.records.find((r) => r.name === ownerRecordName('A', 'api.example.com'))!;
    txt.values = ['"v=spf1 -all"', ownerRecordValue('shop-prod', 'AliasRecord/api-dns')];

    let p = run(desired, actual);
    expect(actionsOf(p, 'AliasRecord/api-dns')).toEqual([]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: `api.example.com A -> ${LB_DNS}` });

    txt.values = ['"v=spf1 -all"'];
    p = run(desired, actual);
    expect(actionsOf(p, 'AliasRecord/api-dns')).toEqual([]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({
      phase: 'Failed',
      reason: 'Conflict',
      message: 'api.example.com A exists in zone example.com but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it',
    });
  });

  it("an owner TXT record with a set identifier still names its owner: a name another environment's weighted records hold is a Conflict, even with adopt: true", () => {
    const desired = desiredShop();
    desired.aliases[0].spec.adopt = true;
    const actual = syncedActual(desired);
    const zone = actual.zones['example.com']!;
    zone.records = [
      { name: 'api.example.com', type: 'A', setIdentifier: 'tokyo', alias: { dnsName: 'other-alb-1.ap-northeast-1.elb.amazonaws.com', hostedZoneId: 'Z14GRHDCWA56QT', evaluateTargetHealth: false } },
      { name: ownerRecordName('A', 'api.example.com'), type: 'TXT', ttl: 300, setIdentifier: 'tokyo', values: [ownerRecordValue('shop-staging', 'AliasRecord/api-dns')] },
    ];

    const p = run(desired, actual);

    expect(actionsOf(p, 'AliasRecord/api-dns')).toEqual([]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Failed', reason: 'Conflict', message: 'api.example.com A is managed by steady for shop-staging AliasRecord/api-dns; steady leaves it alone' });
  });

  it('a missing alias record is created with CREATE (never UPSERT over a record someone made meanwhile), its owner record beside it', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.zones['example.com']!.records = [];

    const p = run(desired, actual);

    const change = actionsOf(p, 'AliasRecord/api-dns')[0] as Extract<Action, { kind: 'ChangeRecords' }>;
    expect(change.changes.map((c) => `${c.action} ${c.record.name} ${c.record.type}`)).toEqual(['CREATE api.example.com A', 'UPSERT _steady-a.api.example.com TXT']);
    expect(change.summary).toBe(`create api.example.com A -> ${LB_DNS}`);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Drifted', reason: 'NotFound', message: `api.example.com A: missing -> ALIAS ${LB_DNS} (zone Z14GRHDCWA56QT)` });
  });

  it('a record already pointing at the target is adopted as it is: one ChangeRecords writing only its owner record', () => {
    const desired = desiredShop();
    desired.aliases[0].spec.adopt = true;
    const actual = syncedActual(desired);
    actual.zones['example.com']!.records.pop();

    const p = run(desired, actual);

    expect(actionsOf(p, 'AliasRecord/api-dns')).toMatchObject([
      {
        kind: 'ChangeRecords',
        id: 'records:AliasRecord/api-dns',
        dependsOn: [],
        zoneId: ZONE_ID,
        zoneName: 'example.com',
        diff: [{ path: '_steady-a.api.example.com TXT', before: undefined, after: ownerRecordValue('shop-prod', 'AliasRecord/api-dns') }],
      },
    ]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ message: `api.example.com A already points at dualstack.${LB_DNS}; steady adopts it unchanged` });
  });

  it('an alias to an explicit DNS name and zone points there', () => {
    const desired = desiredShop();
    desired.aliases[0].spec.target = { dnsName: 'shop.awsglobalaccelerator.com', hostedZoneId: 'Z2BJ6XQ5FK7U4H' } as never;
    const actual = syncedActual(desired);

    const p = run(desired, actual);

    const change = actionsOf(p, 'AliasRecord/api-dns')[0] as Extract<Action, { kind: 'ChangeRecords' }>;
    expect(change.changes[0].record.alias).toEqual({ dnsName: 'shop.awsglobalaccelerator.com', hostedZoneId: 'Z2BJ6XQ5FK7U4H', evaluateTargetHealth: false });
    expect(statusOf(p, 'AliasRecord/api-dns').reason).toBe('TargetDiffers');
  });

  it('an alias pinned to a zone id is looked up in that zone', () => {
    const desired = desiredShop();
    desired.aliases[0].spec.zoneId = ZONE_ID;
    const actual = syncedActual(desired);
    actual.zones[ZONE_ID] = actual.zones['example.com'];
    delete actual.zones['example.com'];

    const p = run(desired, actual);

    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Synced', reason: 'UpToDate' });
  });

  it('adopting a plain record (not an alias) shows what it held and turns it into the alias', () => {
    const desired = desiredShop();
    desired.aliases[0].spec.adopt = true;
    const actual = syncedActual(desired);
    actual.zones['example.com']!.records = [{ name: 'api.example.com', type: 'A', ttl: 60, values: ['192.0.2.10', '192.0.2.11'] }];

    const p = run(desired, actual);

    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({
      phase: 'Drifted',
      reason: 'Adopting',
      diff: [{ path: 'api.example.com A', before: '192.0.2.10 192.0.2.11', after: `ALIAS ${LB_DNS} (zone Z14GRHDCWA56QT)` }],
    });
    expect(actionsOf(p, 'AliasRecord/api-dns')[0].summary).toBe(`adopt api.example.com A -> ${LB_DNS}`);
  });

  it('an alias record steady owns is updated without rewriting its TXT owner record', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.loadBalancers['shop-api-alb']!.dnsName = 'shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com';

    const p = run(desired, actual);

    const change = actionsOf(p, 'AliasRecord/api-dns')[0] as Extract<Action, { kind: 'ChangeRecords' }>;
    expect(change.changes.map((c) => `${c.action} ${c.record.name} ${c.record.type}`)).toEqual(['UPSERT api.example.com A']);
    expect(change.summary).toBe('update api.example.com A -> shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com');
    expect(statusOf(p, 'AliasRecord/api-dns').reason).toBe('TargetDiffers');
  });
});

describe('migration gates: a rollout never overtakes the migration it waits for', () => {
  it("a rollout waits for its migration's task that is still running", () => {
    const desired = desiredShop();
    const actual = runningMigrationTask(syncedActual(desired));
    // An environment variable changes: the service rolls out, the migration's version does not.
    desired.services[0].spec.taskDefinition.containers[0].environment = { LOG_LEVEL: 'debug' };

    const p = run(desired, actual);

    expect(brief(p)).toEqual([
      'AwaitMigration wait:Migration/db-migrate',
      'RegisterTaskDefinition register:Service/api',
      'UpdateService update:Service/api <- register:Service/api,wait:Migration/db-migrate',
    ]);
  });

  it("a Migration's before: makes the service wait exactly as the service's after: does", () => {
    const desired = desiredShop();
    desired.services[0].spec.after = [];
    desired.migrations[0].spec.before = ['api'];
    const actual = syncedActual(desired);
    pushNewImage(actual);

    const p = run(desired, actual);

    expect(brief(p)).toContain('UpdateService update:Service/api <- register:Service/api,run:Migration/db-migrate');
  });

  it("a Migration's before: naming another service does not gate this one", () => {
    const desired = desiredShop();
    desired.services[0].spec.after = [];
    desired.migrations[0].spec.before = ['worker'];
    const actual = syncedActual(desired);
    pushNewImage(actual);

    const p = run(desired, actual);

    expect(brief(p)).toContain('UpdateService update:Service/api <- register:Service/api');
  });

  it('settings converge at once while the rollout waits for a pending migration', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    pushNewImage(actual);
    api(actual).desiredCount = 1;

    const p = run(desired, actual);

    expect(brief(p)).toEqual([
      'RegisterTaskDefinition register:Migration/db-migrate',
      'RunMigration run:Migration/db-migrate <- register:Migration/db-migrate',
      'RegisterTaskDefinition register:Service/api',
      'UpdateService update:Service/api',
      'UpdateService rollout:Service/api <- register:Service/api,run:Migration/db-migrate',
    ]);
    const [update, rollout] = p.actions.slice(3) as Extract<Action, { kind: 'UpdateService' }>[];
    expect(update.taskDefinition).toBeUndefined();
    expect(update.settings).toEqual({ desiredCount: 2 });
    expect(rollout.taskDefinition).toEqual({ registeredBy: 'register:Service/api' });
    expect(rollout.settings).toEqual({});
    // The rollout says which content it rolls out; the settings change does not.
    expect(rollout.contentFingerprint).toMatch(/^[0-9a-f]+$/);
    expect('contentFingerprint' in update).toBe(false);
  });

  it('a version registered by an earlier pass but never started runs from that revision, as the attempt its tag says, and the rollout waits for that run', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const latest = actual.migrations['db-migrate'].latest!;
    delete latest.tags[TAG_MIGRATION_RESULT];
    latest.tags[TAG_MIGRATION_ATTEMPT] = '1';
    desired.services[0].spec.taskDefinition.containers[0].environment = { LOG_LEVEL: 'debug' };

    const p = run(desired, actual);

    expect(brief(p)).toEqual([
      'RunMigration run:Migration/db-migrate',
      'RegisterTaskDefinition register:Service/api',
      'UpdateService update:Service/api <- register:Service/api,run:Migration/db-migrate',
    ]);
    const version = latest.tags[TAG_MIGRATION_VERSION];
    expect(p.actions[0]).toMatchObject({
      taskDefinition: { arn: latest.arn },
      attempt: 1,
      startedBy: `steady/db-migrate/${version}/1`,
      summary: `run migration db-migrate (version ${version}, attempt 2): alembic upgrade head`,
      timeoutSeconds: 600,
    });
    expect(statusOf(p, 'Migration/db-migrate')).toMatchObject({
      phase: 'Drifted',
      reason: 'NotRun',
      message: `version ${version} has not run yet`,
      diff: [{ path: 'version', before: undefined, after: version }],
    });

    // A task of another attempt is not this run's: it is run, not waited for.
    runningMigrationTask(actual);
    expect(brief(run(desired, actual))[0]).toBe('RunMigration run:Migration/db-migrate');
    // An unreadable attempt tag counts as the first attempt.
    latest.tags[TAG_MIGRATION_ATTEMPT] = 'x';
    expect(brief(run(desired, actual))[0]).toBe('AwaitMigration wait:Migration/db-migrate');
  });

  it('a service waiting for a migration that is not in the specs does not roll out; its settings still converge', () => {
    const desired = desiredShop();
    desired.services[0].spec.after = ['db-seed'];
    const actual = syncedActual(desired);
    pushNewImage(actual);
    api(actual).desiredCount = 1;

    const p = run(desired, actual);

    expect(brief({ ...p, actions: actionsOf(p, 'Service/api') })).toEqual(['RegisterTaskDefinition register:Service/api', 'UpdateService update:Service/api']);
    expect((actionsOf(p, 'Service/api')[1] as Extract<Action, { kind: 'UpdateService' }>).taskDefinition).toBeUndefined();
    expect(statusOf(p, 'Service/api')).toMatchObject({
      phase: 'Blocked',
      reason: 'WaitingForMigration',
      message: 'rollout waits: migration db-seed is not ready (migration db-seed is not in the specs)',
    });
  });

  it('a service to create is created with the ECS controller, its settings and the revision, and says so', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    const rev7 = api(actual).taskDefinitionArn;
    actual.familyRevisions['shop-api'] = [rev7];
    actual.services['api'] = null;

    const p = run(desired, actual);

    // Revision 7 has the content: it is reused.
    expect(brief(p)).toEqual(['CreateService create:Service/api']);
    const create = actionsOf(p, 'Service/api')[0] as Extract<Action, { kind: 'CreateService' }>;
    expect(create).toMatchObject({
      id: 'create:Service/api',
      summary: 'create service api (shop-api:7, 2 tasks)',
      dependsOn: [],
      cluster: 'shop-prod',
      serviceName: 'api',
      taskDefinition: { arn: rev7 },
      deploymentController: 'ECS',
      settings: { desiredCount: 2, loadBalancers: [{ targetGroupArn: expect.stringContaining('targetgroup/shop-api-tg'), containerName: 'app', containerPort: 8000 }] },
      tags: { team: 'shop', 'steady:managed-by': 'steady', 'steady:environment': 'shop-prod', 'steady:resource': 'Service/api' },
    });
    expect(create.contentFingerprint).toMatch(/^[0-9a-f]+$/);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Drifted', reason: 'NotFound', message: 'ECS service api does not exist' });
    expect(statusOf(p, 'Service/api').diff).toEqual([
      { path: 'service', before: undefined, after: 'api' },
      { path: 'taskDefinition', before: undefined, after: 'shop-api (cpu 256, memory 512; containers app)' },
    ]);
    expect(create.diff).toEqual(statusOf(p, 'Service/api').diff);
  });

  it('adopting a service tags it first, and a settings change waits for the tag even while its rollout waits', () => {
    const desired = desiredShop({ adopt: true });
    const actual = syncedActual(desired);
    for (const k of Object.keys(api(actual).tags)) if (k.startsWith('steady:')) delete api(actual).tags[k];
    pushNewImage(actual);
    api(actual).desiredCount = 1;
    actual.migrations['db-migrate'].latest!.tags[TAG_MIGRATION_RESULT] = 'failed: exit code 1';
    const register = run(desired, actual).actions.find((a) => a.id === 'register:Migration/db-migrate') as Extract<Action, { kind: 'RegisterTaskDefinition' }>;
    actual.migrations['db-migrate'].latest = { ...actual.migrations['db-migrate'].latest!, content: register.content, tags: { ...register.tags, [TAG_MIGRATION_RESULT]: 'failed: exit code 1' } };

    const p = run(desired, actual);

    expect(brief({ ...p, actions: actionsOf(p, 'Service/api') })).toEqual(['RegisterTaskDefinition register:Service/api', 'TagResource adopt:Service/api', 'UpdateService update:Service/api <- adopt:Service/api']);
    expect(actionsOf(p, 'Service/api')[1]).toMatchObject({
      summary: "adopt service api (tag it as steady's)",
      diff: [{ path: 'tags.steady:managed-by', before: undefined, after: 'steady' }],
      purpose: 'adopt',
      tags: { 'steady:managed-by': 'steady', 'steady:environment': 'shop-prod', 'steady:resource': 'Service/api' },
    });
  });

  it('a service to create waits for its migration: behind a failed one it is not created, behind a pending one it is created after the run', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.services['api'] = null;
    pushNewImage(actual);

    let p = run(desired, actual);
    expect(brief(p).filter((b) => b.includes('Service/api'))).toEqual([
      'RegisterTaskDefinition register:Service/api',
      'CreateService create:Service/api <- register:Service/api,run:Migration/db-migrate',
    ]);

    const register = p.actions.find((a) => a.id === 'register:Migration/db-migrate') as Extract<Action, { kind: 'RegisterTaskDefinition' }>;
    actual.migrations['db-migrate'].latest = { ...actual.migrations['db-migrate'].latest!, content: register.content, tags: { ...register.tags, [TAG_MIGRATION_RESULT]: 'failed: exit code 3' } };
    p = run(desired, actual);
    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed', message: expect.stringMatching(/^rollout waits: migration db-migrate failed \(version \w+ failed: exit code 3;/) });
    expect(statusOf(p, 'Service/api').diff[0]).toEqual({ path: 'service', before: undefined, after: 'api' });
  });

  it('a settings change alone is one UpdateService without a task definition that does not wait for a pending migration: only a rollout waits', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    // A new command is a new version of the migration: it runs this pass, and the service has nothing to roll out.
    desired.migrations[0].spec.command = ['alembic', 'upgrade', 'heads'];
    api(actual).desiredCount = 1;

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['RegisterTaskDefinition register:Migration/db-migrate', 'RunMigration run:Migration/db-migrate <- register:Migration/db-migrate', 'UpdateService update:Service/api']);
    const updates = actionsOf(p, 'Service/api') as Extract<Action, { kind: 'UpdateService' }>[];
    expect(updates[0]).toMatchObject({ taskDefinition: undefined, settings: { desiredCount: 2 }, summary: 'update service api: desiredCount 1 -> 2', dependsOn: [] });
    expect('contentFingerprint' in updates[0]).toBe(false);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Drifted', reason: 'SettingsDiffer', message: 'desiredCount 1 -> 2' });
  });

  it('a rollout with no migration to wait for and a settings change is one UpdateService carrying both', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    pushNewImage(actual);
    api(actual).desiredCount = 1;
    // A setting ECS does not report yet: its old value shows as '-'.
    desired.services[0].spec.healthCheckGracePeriodSeconds = 30;
    delete api(actual).healthCheckGracePeriodSeconds;

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['RegisterTaskDefinition register:Service/api', 'UpdateService update:Service/api <- register:Service/api']);
    const update = actionsOf(p, 'Service/api')[1] as Extract<Action, { kind: 'UpdateService' }>;
    expect(update).toMatchObject({ taskDefinition: { registeredBy: 'register:Service/api' }, settings: { desiredCount: 2, healthCheckGracePeriodSeconds: 30 } });
    expect(update.summary).toBe('update service api: task definition shop-api:7 -> shop-api:<new revision>, desiredCount 1 -> 2, healthCheckGracePeriodSeconds - -> 30');
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Drifted', reason: 'TaskDefinitionDiffers', message: 'task definition shop-api:7 -> shop-api:<new revision>; desiredCount 1 -> 2; healthCheckGracePeriodSeconds - -> 30' });
  });

  it('a service waiting for two migrations depends on both runs, in name order', () => {
    const desired = desiredShop();
    const seed = structuredClone(desired.migrations[0]);
    seed.metadata.name = 'a-seed';
    seed.spec.command = ['seed'];
    desired.migrations.push(seed);
    desired.services[0].spec.after = ['db-migrate', 'a-seed'];
    const actual = syncedActual(desired);
    pushNewImage(actual);

    const p = run(desired, actual);

    expect(actionsOf(p, 'Service/api').find((a) => a.kind === 'UpdateService')!.dependsOn).toEqual(['register:Service/api', 'run:Migration/a-seed', 'run:Migration/db-migrate']);
  });

  it('a failed migration version is not run again and keeps the rollout back', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    pushNewImage(actual);
    const first = run(desired, actual);
    const register = first.actions.find((a) => a.id === 'register:Migration/db-migrate') as Extract<Action, { kind: 'RegisterTaskDefinition' }>;
    // That version was registered and ran, and failed.
    actual.migrations['db-migrate'].latest = { ...actual.migrations['db-migrate'].latest!, content: register.content, tags: { ...register.tags, [TAG_MIGRATION_RESULT]: 'failed: exit code 1' } };

    const p = run(desired, actual);

    expect(actionsOf(p, 'Migration/db-migrate')).toEqual([]);
    expect(p.actions.filter((a) => a.kind === 'UpdateService' || a.kind === 'RunMigration')).toEqual([]);
    expect(statusOf(p, 'Migration/db-migrate')).toMatchObject({ phase: 'Failed', reason: 'MigrationFailed' });
    expect(statusOf(p, 'Service/api')).toMatchObject({
      phase: 'Blocked',
      reason: 'MigrationFailed',
      message: expect.stringMatching(/^rollout waits: migration db-migrate failed \(version \w+ failed: exit code 1; it is not run again/),
    });
  });
});

describe('rollout failure and revision reuse', () => {
  it('a failure recorded for an older revision does not block the rollout of a new one', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    const old = revision(actual, 6, (c) => void (c.cpu = '512'));
    pushNewImage(actual);
    const next = revision(actual, 8, (c) => void (c.containerDefinitions[0].image = `${REPO}@${DIGEST_B}`));
    api(actual).tags[TAG_ROLLOUT] = `${old.arn}@${POLICY.now - 600_000}#failed:tasks failed to start`;

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
    expect((p.actions[0] as Extract<Action, { kind: 'UpdateService' }>).taskDefinition).toEqual({ arn: next.arn });
    expect(statusOf(p, 'Service/api').reason).toBe('TaskDefinitionDiffers');
  });

  it('a FAILED deployment of the revision steady pushed stops it being pushed again and is written down', () => {
    const { desired, actual, pushed: bad } = pushedShop();
    api(actual).tags[TAG_ROLLOUT] = `${bad.arn}@${POLICY.now - 600_000}`;
    api(actual).deployments.push({ ...api(actual).deployments[0], id: 'ecs-svc/2', status: 'ACTIVE', taskDefinitionArn: bad.arn, rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['TagResource record:Service/api']);
    expect(p.actions[0]).toMatchObject({ summary: 'remember on service api that the rollout of shop-api:8 failed', diff: [], arn: api(actual).arn, purpose: 'record' });
    expect((p.actions[0] as Extract<Action, { kind: 'TagResource' }>).tags[TAG_ROLLOUT]).toBe(`${bad.arn}@${POLICY.now - 600_000}#failed:ECS deployment circuit breaker: tasks failed to start.`);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'RolloutFailed' });
  });

  it('a FAILED deployment of another revision is no evidence against the one steady pushed', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    const old = revision(actual, 6, (c) => void (c.cpu = '512'));
    pushNewImage(actual);
    const next = revision(actual, 8, (c) => void (c.containerDefinitions[0].image = `${REPO}@${DIGEST_B}`));
    api(actual).tags[TAG_ROLLOUT] = `${next.arn}@${POLICY.now - 600_000}`;
    api(actual).deployments.push({ ...api(actual).deployments[0], id: 'ecs-svc/0', status: 'ACTIVE', taskDefinitionArn: old.arn, rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start.' });

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
    expect((p.actions[0] as Extract<Action, { kind: 'UpdateService' }>).taskDefinition).toEqual({ arn: next.arn });
  });

  it('rollback events from before steady pushed the revision are no evidence of its failure', () => {
    const { desired, actual, pushed: next } = pushedShop();
    api(actual).tags[TAG_ROLLOUT] = `${next.arn}@${POLICY.now - 600_000}`;
    api(actual).events.unshift({ createdAt: POLICY.now - 700_000, message: '(service api) deployment failed: circuit breaker rolling back.' });

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
  });

  it('a rollback event at the very millisecond of the push is evidence of its failure', () => {
    const { desired, actual, pushed: bad } = pushedShop();
    const since = POLICY.now - 600_000;
    api(actual).tags[TAG_ROLLOUT] = `${bad.arn}@${since}`;
    api(actual).events.unshift({ createdAt: since, message: '(service api) deployment failed: circuit breaker rolling back.' });

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['TagResource record:Service/api']);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'RolloutFailed' });
  });

  it("a deployment of the pushed revision that ECS has not marked FAILED is no failure: when someone moved the service off it, it is pushed again", () => {
    const { desired, actual, pushed: next } = pushedShop();
    api(actual).tags[TAG_ROLLOUT] = `${next.arn}@${POLICY.now - 600_000}`;
    // Revision 7 was put back by hand: its deployment is PRIMARY, steady's is being drained.
    api(actual).deployments.push({ ...api(actual).deployments[0], id: 'ecs-svc/2', status: 'ACTIVE', taskDefinitionArn: next.arn, rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment ecs-svc/2 completed.' });

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
    expect((p.actions[0] as Extract<Action, { kind: 'UpdateService' }>).taskDefinition).toEqual({ arn: next.arn });
  });

  it("a rollout tag not in steady's form (`<arn>@<ms>[#failed:<why>]`) names no revision: no event makes its rollout a failure", () => {
    const { desired, actual, pushed: next } = pushedShop();
    api(actual).tags[TAG_ROLLOUT] = `${next.arn}@${POLICY.now - 600_000}s`;
    api(actual).events.unshift({ createdAt: POLICY.now - 100_000, message: '(service api) deployment failed: circuit breaker rolling back.' });

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
  });

  it('a FAILED deployment that gives no reason is still a failure, recorded as such', () => {
    const { desired, actual, pushed: bad } = pushedShop();
    api(actual).tags[TAG_ROLLOUT] = `${bad.arn}@${POLICY.now - 600_000}`;
    api(actual).deployments.push({ ...api(actual).deployments[0], id: 'ecs-svc/2', status: 'ACTIVE', taskDefinitionArn: bad.arn, rolloutState: 'FAILED', rolloutStateReason: undefined });

    const p = run(desired, actual);

    expect((p.actions[0] as Extract<Action, { kind: 'TagResource' }>).tags[TAG_ROLLOUT]).toBe(`${bad.arn}@${POLICY.now - 600_000}#failed:the deployment failed`);
    expect(statusOf(p, 'Service/api').message).toBe(
      "the rollout of shop-api:8 failed and ECS rolled it back (the deployment failed); steady does not push it again until the spec changes or someone runs `steady retry service/api --env shop-prod`",
    );
  });

  it('a failure already recorded in the tag is not written again, and the revision stays back', () => {
    const { desired, actual, pushed: bad } = pushedShop();
    api(actual).tags[TAG_ROLLOUT] = `${bad.arn}@${POLICY.now - 600_000}#failed:tasks failed to start`;

    const p = run(desired, actual);

    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'RolloutFailed', message: expect.stringContaining('ECS rolled it back (tasks failed to start)') });
  });

  it('after a push, the event that says why it failed is the reason, over the one that says ECS rolled back; a rollout tag without a time counts every event', () => {
    const { desired, actual, pushed: bad } = pushedShop();
    api(actual).tags[TAG_ROLLOUT] = bad.arn;
    api(actual).events.unshift(
      { createdAt: POLICY.now - 700_000, message: '(service api) rolling back to deployment ecs-svc/1.' },
      { createdAt: POLICY.now - 710_000, message: '(service api) deployment ecs-svc/2 deployment failed: tasks failed to start.' },
    );

    const p = run(desired, actual);

    expect((p.actions[0] as Extract<Action, { kind: 'TagResource' }>).tags[TAG_ROLLOUT]).toBe(`${bad.arn}#failed:(service api) deployment ecs-svc/2 deployment failed: tasks failed to start.`);

    // Only the rollback event: it is the reason.
    api(actual).events.splice(1, 1);
    expect((run(desired, actual).actions[0] as Extract<Action, { kind: 'TagResource' }>).tags[TAG_ROLLOUT]).toBe(`${bad.arn}#failed:(service api) rolling back to deployment ecs-svc/1.`);
  });

  it('the service running the revision the tag names is no failure, whatever the events say', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    api(actual).tags[TAG_ROLLOUT] = `${api(actual).taskDefinitionArn}@${POLICY.now - 600_000}`;
    api(actual).events.unshift({ createdAt: POLICY.now - 100_000, message: '(service api) deployment failed: circuit breaker rolling back.' });
    api(actual).desiredCount = 1;

    expect(brief(run(desired, actual))).toEqual(['UpdateService update:Service/api']);
  });

  it("a service whose deployment ECS marks FAILED, with nothing to change, is Failed with ECS's reason; one still deploying is Progressing", () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    const d = api(actual).deployments[0];
    Object.assign(d, { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });

    let p = run(desired, actual);
    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'DeploymentFailed', message: 'the deployment of shop-api:7 failed: ECS deployment circuit breaker: tasks failed to start.' });
    delete d.rolloutStateReason;
    expect(statusOf(run(desired, actual), 'Service/api').message).toBe('the deployment of shop-api:7 failed: no reason given');

    Object.assign(d, { rolloutState: 'IN_PROGRESS' });
    api(actual).runningCount = 1;
    p = run(desired, actual);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Progressing', reason: 'RollingOut', message: 'deployment of shop-api:7 in progress (1/2 running)' });

    Object.assign(d, { rolloutState: 'COMPLETED' });
    api(actual).deployments.push({ ...d, id: 'ecs-svc/0', status: 'ACTIVE' });
    expect(statusOf(run(desired, actual), 'Service/api').reason).toBe('RollingOut');
    api(actual).deployments.pop();
    api(actual).runningCount = 2;
    expect(statusOf(run(desired, actual), 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'runs shop-api:7 with 2/2 tasks' });
  });

  it("the deployment that says a service failed is the PRIMARY one, wherever ECS lists it; a service with no deployments (CodeDeploy's task sets) is Synced", () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    const primary = api(actual).deployments[0];
    Object.assign(primary, { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });
    api(actual).deployments.unshift({ ...primary, id: 'ecs-svc/0', status: 'ACTIVE', rolloutState: 'COMPLETED', rolloutStateReason: undefined });

    expect(statusOf(run(desired, actual), 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'DeploymentFailed' });

    api(actual).deploymentController = 'CODE_DEPLOY';
    api(actual).deployments = [];
    const p = run(desired, actual);
    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'runs shop-api:7 with 2/2 tasks' });
  });

  it('a service whose deployments ECS runs with CodeDeploy gets no new revision through UpdateService, and says how to roll it out', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    api(actual).deploymentController = 'CODE_DEPLOY';
    pushNewImage(actual);

    const p = run(desired, actual);

    expect(actionsOf(p, 'Service/api')).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({
      phase: 'Failed',
      reason: 'CodeDeployController',
      message: 'ECS service api uses the CODE_DEPLOY deployment controller, so ECS refuses a new task definition through UpdateService; roll it out with deployment.strategy: blueGreen (CodeDeploy)',
    });
  });

  it('the failure written into the tag is cut to the 256 characters a tag value may hold', () => {
    const { desired, actual, pushed: bad } = pushedShop();
    api(actual).tags[TAG_ROLLOUT] = `${bad.arn}@${POLICY.now - 600_000}`;
    const reason = `ECS deployment circuit breaker: ${'tasks failed to start. '.repeat(20)}`;
    api(actual).deployments.push({ ...api(actual).deployments[0], id: 'ecs-svc/2', status: 'ACTIVE', taskDefinitionArn: bad.arn, rolloutState: 'FAILED', rolloutStateReason: reason });

    const tag = (run(desired, actual).actions[0] as Extract<Action, { kind: 'TagResource' }>).tags[TAG_ROLLOUT];

    expect(tag).toBe(`${bad.arn}@${POLICY.now - 600_000}#failed:${reason}`.slice(0, 256));
    expect(tag).toHaveLength(256);
  });

  it('a revision of the family that could not be described is never reused: a new one is registered', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    pushNewImage(actual);
    actual.familyRevisions['shop-api'] = ['arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api:8', api(actual).taskDefinitionArn];

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['RegisterTaskDefinition register:Service/api', 'UpdateService update:Service/api <- register:Service/api']);
    expect(p.actions[0].summary).toBe('register task definition shop-api (new revision)');
  });

  it('an INACTIVE revision with the wanted content is never reused: a new one is registered', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    pushNewImage(actual);
    revision(actual, 8, (c) => void (c.containerDefinitions[0].image = `${REPO}@${DIGEST_B}`), 'INACTIVE');

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['RegisterTaskDefinition register:Service/api', 'UpdateService update:Service/api <- register:Service/api']);
  });
});

describe('images an outside deployer owns', () => {
  it('a container whose image an outside deployer changed keeps it, with a note; a pushed tag rolls nothing out', () => {
    const desired = ungated();
    desired.services[0].spec.taskDefinition.containers[0].imageOwner = 'external';
    const actual = syncedActual(desired);
    const running = `${REPO}@sha256:${'c'.repeat(64)}`;
    const td = actual.taskDefinitions[api(actual).taskDefinitionArn];
    td.content.containerDefinitions[0].image = running;
    pushNewImage(actual);

    const p = run(desired, actual);

    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'UpToDate' });
    expect(statusOf(p, 'Service/api').notes).toEqual([
      `container app runs ${running}, the spec says ${REPO}:latest; its image is owned by an outside deployer, so steady does not revert it`,
    ]);
  });

  it('no note when it runs what the spec names, pinned or as written', () => {
    const desired = ungated();
    desired.services[0].spec.taskDefinition.containers[0].imageOwner = 'external';
    const actual = syncedActual(desired);
    expect(statusOf(run(desired, actual), 'Service/api').notes).toBeUndefined();

    actual.taskDefinitions[api(actual).taskDefinitionArn].content.containerDefinitions[0].image = `${REPO}:latest`;
    expect(statusOf(run(desired, actual), 'Service/api').notes).toBeUndefined();
  });

  it("an image steady owns is rolled out to the spec's digest, whatever runs", () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    actual.taskDefinitions[api(actual).taskDefinitionArn].content.containerDefinitions[0].image = `${REPO}@sha256:${'c'.repeat(64)}`;

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['RegisterTaskDefinition register:Service/api', 'UpdateService update:Service/api <- register:Service/api']);
    expect(statusOf(p, 'Service/api').notes).toBeUndefined();
  });
});

describe('drift steady must see', () => {
  it('an alias whose evaluateTargetHealth was changed by hand is set back', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.zones['example.com']!.records[0].alias!.evaluateTargetHealth = true;

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['ChangeRecords records:AliasRecord/api-dns']);
    expect(statusOf(p, 'AliasRecord/api-dns').diff).toEqual([
      { path: 'api.example.com A', before: `ALIAS dualstack.${LB_DNS} (zone Z14GRHDCWA56QT, evaluate target health)`, after: `ALIAS ${LB_DNS} (zone Z14GRHDCWA56QT)` },
    ]);
  });

  it("an alias pointing at the right name in the wrong hosted zone is set back to the target's zone", () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.zones['example.com']!.records[0].alias!.hostedZoneId = 'Z0000000000000000000';

    const p = run(desired, actual);

    const change = p.actions[0] as Extract<Action, { kind: 'ChangeRecords' }>;
    expect(change.changes[0].record.alias).toEqual({ dnsName: LB_DNS, hostedZoneId: 'Z14GRHDCWA56QT', evaluateTargetHealth: false });
    expect(change).toMatchObject({ zoneId: ZONE_ID, zoneName: 'example.com' });
  });

  it.each([
    ['minimumHealthyPercent', { minimumHealthyPercent: 50 }],
    ['maximumPercent', { maximumPercent: 150 }],
    ['circuitBreaker', { circuitBreaker: { enable: false, rollback: false } }],
  ])('a hand edit of deploymentConfiguration.%s is set back, keeping what steady does not own', (_field, edit) => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const dc = api(actual).deploymentConfiguration as Record<string, unknown>;
    Object.assign(dc, edit, { alarms: { alarmNames: ['shop-5xx'], enable: true, rollback: true } });

    const p = run(desired, actual);

    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
    expect((p.actions[0] as Extract<Action, { kind: 'UpdateService' }>).settings).toEqual({
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        circuitBreaker: { enable: true, rollback: true },
        alarms: { alarmNames: ['shop-5xx'], enable: true, rollback: true },
      },
    });
  });

  it("ECS's defaults for fields it does not report are no drift when the spec asks for them", () => {
    const desired = desiredShop();
    desired.services[0].spec.deployment = { strategy: 'rolling', minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: false, rollback: false } };
    const actual = syncedActual(desired);
    api(actual).deploymentConfiguration = {};

    expect(brief(run(desired, actual))).toEqual([]);
  });

  it("ECS's defaults are drift when the spec asks for something else", () => {
    const desired = desiredShop();
    desired.services[0].spec.deployment = { strategy: 'rolling', minimumHealthyPercent: 50, maximumPercent: 150, circuitBreaker: { enable: true, rollback: true } };
    const actual = syncedActual(desired);
    api(actual).deploymentConfiguration = {};

    const p = run(desired, actual);

    expect(statusOf(p, 'Service/api').diff.map((d) => `${d.path}: ${d.before} -> ${d.after}`)).toEqual([
      'deploymentConfiguration: {"circuitBreaker":{"enable":false,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100} -> {"circuitBreaker":{"enable":true,"rollback":true},"maximumPercent":150,"minimumHealthyPercent":50}',
    ]);
  });
});

describe('what is missing or unreadable changes nothing', () => {
  it('a missing cluster fails every service and migration, with where to fix it, and plans nothing', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.cluster = null;

    const p = run(desired, actual);

    expect(p.actions).toEqual([]);
    for (const r of ['Service/api', 'Migration/db-migrate']) {
      expect(statusOf(p, r)).toMatchObject({
        phase: 'Failed',
        reason: 'ClusterNotFound',
        message: 'ECS cluster shop-prod does not exist; create it or fix spec.cluster of environment shop-prod',
      });
    }
  });

  it('a service, its target group or its task definition that could not be read blocks it; a missing target group fails it; nothing is planned', () => {
    const desired = ungated();
    const cases: [string, (a: ActualState) => void, object][] = [
      ['service', (a) => delete a.services['api'], { phase: 'Blocked', reason: 'ObserveFailed', message: 'ECS service api could not be read; nothing is changed this pass' }],
      ['target group', (a) => delete a.targetGroups['shop-api-tg'], { phase: 'Blocked', reason: 'ObserveFailed', message: 'target group shop-api-tg could not be read; nothing is changed this pass' }],
      ['missing target group', (a) => void (a.targetGroups['shop-api-tg'] = null), { phase: 'Failed', reason: 'TargetGroupNotFound', message: 'target group shop-api-tg does not exist; create it or fix spec.loadBalancer.targetGroup' }],
      [
        'task definition',
        (a) => delete a.taskDefinitions[api(a).taskDefinitionArn],
        { phase: 'Blocked', reason: 'ObserveFailed', message: 'task definition arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api:7 could not be read; nothing is changed this pass' },
      ],
    ];
    for (const [, edit, expected] of cases) {
      const actual = syncedActual(desired);
      pushNewImage(actual);
      actual.services['api'] && (api(actual).desiredCount = 0);
      edit(actual);

      const p = run(desired, actual);

      expect(p.actions).toEqual([]);
      expect(statusOf(p, 'Service/api')).toMatchObject(expected);
    }
  });

  it('something a service depends on that could not be read blocks it, with what and why; nothing is planned', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    pushNewImage(actual);
    actual.unreadable.push({ what: 'ECS service api', awsName: 'ThrottlingException', message: 'Rate exceeded', affects: ['Service/api'] } as never);

    const p = run(desired, actual);

    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({
      phase: 'Blocked',
      reason: 'ObserveFailed',
      message: 'could not read ECS service api (ThrottlingException: Rate exceeded); nothing that depends on it is changed this pass',
    });
  });

  it('a service without a load balancer needs no target group: it is created, and kept, with none', () => {
    const desired = ungated();
    delete desired.services[0].spec.loadBalancer;
    const actual = syncedActual(desired);
    delete actual.targetGroups['shop-api-tg'];

    expect(run(desired, actual).actions).toEqual([]);
    expect(statusOf(run(desired, actual), 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'UpToDate' });

    actual.familyRevisions['shop-api'] = [api(actual).taskDefinitionArn];
    actual.services['api'] = null;
    const p = run(desired, actual);
    expect(brief(p)).toEqual(['CreateService create:Service/api']);
    expect((p.actions[0] as Extract<Action, { kind: 'CreateService' }>).settings.loadBalancers).toEqual([]);
  });

  it('an unreadable cluster blocks every service and migration, and an alias whose inputs could not be read is left as it is', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.cluster = undefined;
    actual.loadBalancers['shop-api-alb']!.dnsName = 'new-1.ap-northeast-1.elb.amazonaws.com';
    actual.unreadable.push({ what: 'hosted zone example.com', awsName: 'Throttling', message: 'Rate exceeded', affects: ['AliasRecord/api-dns'] } as never);
    actual.unreadable.push({ what: 'load balancer shop-api-alb', awsName: 'AccessDenied', message: 'no', affects: ['AliasRecord/api-dns'] } as never);

    const p = run(desired, actual);

    expect(p.actions).toEqual([]);
    for (const r of ['Service/api', 'Migration/db-migrate']) {
      expect(statusOf(p, r)).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: 'ECS cluster shop-prod could not be read; nothing is changed this pass' });
    }
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({
      phase: 'Blocked',
      reason: 'ObserveFailed',
      message: 'could not read hosted zone example.com (Throttling: Rate exceeded); load balancer shop-api-alb (AccessDenied: no); nothing that depends on it is changed this pass',
    });
  });

  it('a blue/green service that does not exist is not created by steady', () => {
    const desired = ungated();
    desired.services[0].spec.deployment = { strategy: 'blueGreen', codeDeploy: { application: 'shop', deploymentGroup: 'api', deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce' } } as never;
    const actual = syncedActual(desired);
    actual.services['api'] = null;

    const p = run(desired, actual);

    expect(actionsOf(p, 'Service/api')).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({
      phase: 'Failed',
      reason: 'BlueGreenCreate',
      message: 'ECS service api does not exist; a blue/green service is created together with its CodeDeploy deployment group, not by steady',
    });
  });

  it('a DRAINING service is waited for, not updated or created again', () => {
    const desired = ungated();
    const actual = syncedActual(desired);
    api(actual).status = 'DRAINING';
    api(actual).desiredCount = 0;

    const p = run(desired, actual);

    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({
      phase: 'Blocked',
      reason: 'ServiceDraining',
      message: 'ECS service api is being deleted (DRAINING); it is created again once it is gone',
    });
  });

  it('an ECR repository that could not be read blocks the service and its migration; nothing is registered', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    delete actual.images[`${REPO}:latest`];
    api(actual).desiredCount = 0;

    const p = run(desired, actual);

    expect(p.actions).toEqual([]);
    for (const [r, what] of [
      ['Service/api', 'Service api'],
      ['Migration/db-migrate', 'Migration db-migrate'],
    ]) {
      expect(statusOf(p, r)).toMatchObject({
        phase: 'Blocked',
        reason: 'ObserveFailed',
        message: `could not resolve ${REPO}:latest in ECR this pass; nothing of ${what} changes until it can`,
      });
    }
  });

  it('an unreadable or missing hosted zone leaves the alias as it is', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.loadBalancers['shop-api-alb']!.dnsName = 'new-1.ap-northeast-1.elb.amazonaws.com';
    delete actual.zones['example.com'];
    let p = run(desired, actual);
    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: 'hosted zone example.com could not be read; nothing is changed this pass' });

    actual.zones['example.com'] = null;
    p = run(desired, actual);
    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Failed', reason: 'ZoneNotFound', message: 'hosted zone example.com does not exist in this account' });
  });

  it('an unreadable or missing load balancer leaves its alias as it is', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    delete actual.loadBalancers['shop-api-alb'];
    let p = run(desired, actual);
    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: 'load balancer shop-api-alb could not be read; the record is left as it is' });

    actual.loadBalancers['shop-api-alb'] = null;
    p = run(desired, actual);
    expect(p.actions).toEqual([]);
    expect(statusOf(p, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Failed', reason: 'TargetNotFound', message: 'load balancer shop-api-alb does not exist; the record is left as it is' });
  });

  it('an alias to CloudFront follows its distribution, and leaves the record when the distribution is unreadable or gone', () => {
    const desired = desiredShop();
    desired.aliases = [
      aliasRecordSchema.parse({
        apiVersion: 'steady.dev/v1alpha1',
        kind: 'AliasRecord',
        metadata: { name: 'apex', environment: 'shop-prod' },
        spec: { zone: 'example.com', name: 'example.com', target: { cloudFront: 'E2EXAMPLE' } },
      }),
    ];
    const actual = syncedActual(desired);
    actual.distributions['E2EXAMPLE'] = { id: 'E2EXAMPLE', domainName: 'd111111abcdef8.cloudfront.net', aliases: ['example.com'], status: 'Deployed', enabled: true };

    let p = run(desired, actual);
    const change = actionsOf(p, 'AliasRecord/apex')[0] as Extract<Action, { kind: 'ChangeRecords' }>;
    expect(change.changes[0].record.alias).toEqual({ dnsName: 'd111111abcdef8.cloudfront.net', hostedZoneId: 'Z2FDTNDATAQYW2', evaluateTargetHealth: false });

    delete actual.distributions['E2EXAMPLE'];
    p = run(desired, actual);
    expect(actionsOf(p, 'AliasRecord/apex')).toEqual([]);
    expect(statusOf(p, 'AliasRecord/apex')).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: 'CloudFront distribution E2EXAMPLE could not be read; the record is left as it is' });

    actual.distributions['E2EXAMPLE'] = null;
    p = run(desired, actual);
    expect(actionsOf(p, 'AliasRecord/apex')).toEqual([]);
    expect(statusOf(p, 'AliasRecord/apex')).toMatchObject({ phase: 'Failed', reason: 'TargetNotFound', message: 'CloudFront distribution E2EXAMPLE does not exist; the record is left as it is' });
  });
});
