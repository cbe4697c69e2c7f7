/**
 * A migration never registers a revision that drops content the spec cannot express: not the
 * content of the service revision a fromService migration copies, not that of a revision someone
 * registered by hand in the migration's own family.
 */
import { describe, expect, it } from 'vitest';
import { TAG_MIGRATION_ATTEMPT, TAG_MIGRATION_RESULT, TAG_MIGRATION_STARTED, TAG_MIGRATION_VERSION, type AwaitMigrationAction, type RegisterTaskDefinitionAction, type RunMigrationAction } from '../model/plan.js';
import { canonicalTaskDefinition } from '../model/taskdef.js';
import { migrationSchema } from '../spec/schema.js';
import { DIGEST_B, desiredShop, POLICY, REPO, runningMigrationTask, syncedActual } from '../testing/plan-fixtures.js';
import { plan } from './plan.js';

const newImage = { kind: 'pinned' as const, digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };

describe('a migration and content the spec cannot express', () => {
  it('does not copy a service revision that has such content, and its gate stays closed', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const svc = actual.services['api']!;
    const td = actual.taskDefinitions[svc.taskDefinitionArn];
    td.content = canonicalTaskDefinition({ ...td.content, futureTaskSetting: 'strict' });
    actual.images[`${REPO}:latest`] = newImage;

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Migration/db-migrate')).toEqual([]);
    expect(p.resources.find((r) => r.resource === 'Migration/db-migrate')).toMatchObject({
      phase: 'Blocked',
      reason: 'UnexpressibleFields',
      message:
        "it runs a copy of service api's task definition, and ECS service api runs shop-api:7, which has content the spec language cannot express: futureTaskSetting. " +
        'A revision built from the spec would drop it, so steady registers and updates nothing for Migration db-migrate. ' +
        "The migration runs once the service's revision holds only what the spec can say (see the status of Service api)",
      diff: [{ path: 'taskDefinition.futureTaskSetting', before: 'strict', after: undefined }],
    });
    expect(p.actions).toEqual([]);
  });

  it('does not replace a revision registered by hand in its own family with one that lacks its content', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const latest = actual.migrations['db-migrate'].latest!;
    actual.migrations['db-migrate'].latest = {
      ...latest,
      arn: latest.arn.replace(/:3$/, ':4'),
      revision: 4,
      content: canonicalTaskDefinition({ ...latest.content, futureTaskSetting: { level: 100 } }),
      tags: {},
    };

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([]);
    const st = p.resources.find((r) => r.resource === 'Migration/db-migrate')!;
    expect(st).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
    expect(st.message).toBe(
      'the latest revision of task definition family shop-api-db-migrate is shop-api-db-migrate:4, which has content the spec language cannot express: futureTaskSetting. ' +
        'A revision built from the spec would drop it, so steady registers and updates nothing for Migration db-migrate. ' +
        'If the migration needs this content, run it outside steady until the spec language can express it; if it does not, deregister shop-api-db-migrate:4 and the next pass registers the migration\'s own revision',
    );
  });

  it('still registers its own next version over a revision steady registered', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.images[`${REPO}:latest`] = newImage;

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Migration/db-migrate').map((a) => a.kind)).toEqual(['RegisterTaskDefinition', 'RunMigration']);
    expect(actual.migrations['db-migrate'].latest!.tags[TAG_MIGRATION_VERSION]).toBeDefined();
  });
});

describe("a migration's run and the wait for it", () => {
  const migrationOf = (p: ReturnType<typeof plan>) => p.actions.filter((a) => a.resource === 'Migration/db-migrate');
  const statusOf = (p: ReturnType<typeof plan>, key = 'Migration/db-migrate') => p.resources.find((r) => r.resource === key)!;

  it("runs a new version in the service's network, with its command, once (startedBy and client token name the version and attempt)", () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.images[`${REPO}:latest`] = newImage;

    const [register, run] = migrationOf(plan(desired, actual, POLICY)) as [RegisterTaskDefinitionAction, RunMigrationAction];

    expect(register.summary).toBe(`register task definition shop-api-db-migrate for migration db-migrate version ${run.version}`);
    expect(run).toMatchObject({
      summary: `run migration db-migrate (version ${run.version}): alembic upgrade head`,
      cluster: 'shop-prod',
      container: 'app',
      command: ['alembic', 'upgrade', 'head'],
      network: { subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
      attempt: 0,
      startedBy: `steady/db-migrate/${run.version}/0`,
      timeoutSeconds: 600,
      taskDefinition: { registeredBy: 'register:Migration/db-migrate' },
      dependsOn: ['register:Migration/db-migrate'],
    });
    expect(run.version).toMatch(/^[0-9a-f]{16}$/);
    expect(run.clientToken).toMatch(/^steady-[0-9a-f]{40}$/);
  });

  it("a run's client token is its own: the same run gets the same token, another version or attempt another one (ECS would return the earlier run's task for a token it has seen)", () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.images[`${REPO}:latest`] = newImage;
    const tokenOf = () => (migrationOf(plan(desired, actual, POLICY)).find((a) => a.kind === 'RunMigration') as RunMigrationAction).clientToken;
    const first = tokenOf();

    expect(tokenOf()).toBe(first);
    desired.migrations[0].spec.command = ['alembic', 'upgrade', 'heads'];
    const otherVersion = tokenOf();
    expect(otherVersion).not.toBe(first);

    // The same version, registered by an earlier pass with its first attempt failed and retried: attempt 1.
    const register = migrationOf(plan(desired, actual, POLICY))[0] as RegisterTaskDefinitionAction;
    actual.migrations['db-migrate'].latest = { ...actual.migrations['db-migrate'].latest!, content: register.content, tags: { ...register.tags, [TAG_MIGRATION_ATTEMPT]: '1' } };
    delete actual.migrations['db-migrate'].latest.tags[TAG_MIGRATION_RESULT];
    const retried = migrationOf(plan(desired, actual, POLICY))[0] as RunMigrationAction;
    expect(retried).toMatchObject({ kind: 'RunMigration', attempt: 1 });
    expect([first, otherVersion]).not.toContain(retried.clientToken);
  });

  it('a version that succeeded plans nothing, says so, and opens the gate', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const version = actual.migrations['db-migrate'].latest!.tags[TAG_MIGRATION_VERSION];
    actual.services['api']!.desiredCount = 1;

    const p = plan(desired, actual, POLICY);

    expect(migrationOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'Succeeded', message: `version ${version} succeeded` });
    expect(p.actions.map((a) => [a.id, a.dependsOn])).toEqual([['update:Service/api', []]]);
  });

  it('something a migration depends on that could not be read keeps it from running, with what and why, and its rollouts wait', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.images[`${REPO}:latest`] = newImage;
    actual.unreadable.push({ what: 'task definition family shop-api-db-migrate', awsName: 'ThrottlingException', message: 'Rate exceeded', affects: ['Migration/db-migrate'] } as never);

    const p = plan(desired, actual, POLICY);

    expect(migrationOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Blocked',
      reason: 'ObserveFailed',
      message: 'could not read task definition family shop-api-db-migrate (ThrottlingException: Rate exceeded); nothing that depends on it is changed this pass',
    });
    expect(statusOf(p, 'Service/api').reason).toBe('WaitingForMigration');
  });

  it('with a task definition of its own: its network, and the command the task definition holds', () => {
    const desired = desiredShop();
    desired.migrations[0] = migrationSchema.parse({
      apiVersion: 'steady.dev/v1alpha1',
      kind: 'Migration',
      metadata: { name: 'db-migrate', environment: 'shop-prod' },
      spec: {
        taskDefinition: { family: 'shop-migrate', cpu: 256, memory: 512, containers: [{ name: 'migrate', image: 'public.ecr.aws/acme/migrate:1', command: ['migrate', 'up'] }] },
        network: { subnets: ['subnet-0ccccccccccccccc1'], securityGroups: ['sg-0ccccccccccccccc1'] },
      },
    });
    const actual = syncedActual({ ...desired, migrations: [] });
    actual.images['public.ecr.aws/acme/migrate:1'] = { kind: 'unpinnable' };
    actual.migrations['db-migrate'] = { latest: null, tasks: [] };

    const p = plan(desired, actual, POLICY);

    const run = migrationOf(p)[1] as RunMigrationAction;
    expect(run.summary).toBe(`run migration db-migrate (version ${run.version}): <task definition command>`);
    expect(run).toMatchObject({ container: 'migrate', network: { subnets: ['subnet-0ccccccccccccccc1'], securityGroups: ['sg-0ccccccccccccccc1'], assignPublicIp: 'DISABLED' } });
    expect(run.command).toBeUndefined();
    expect(statusOf(p)).toMatchObject({ phase: 'Drifted', reason: 'NewVersion', message: `version ${run.version} has not run yet`, diff: [{ path: 'version', before: undefined, after: run.version }] });
  });

  it("a migration without a command of its own has a new version when its container's command changes, and only its container's", () => {
    const desired = desiredShop();
    const container = (name: string, command: string[], essential = true) => ({ name, image: 'public.ecr.aws/acme/migrate:1', command, essential });
    const migration = (containers: ReturnType<typeof container>[]) =>
      migrationSchema.parse({
        apiVersion: 'steady.dev/v1alpha1',
        kind: 'Migration',
        metadata: { name: 'db-migrate', environment: 'shop-prod' },
        spec: { taskDefinition: { family: 'shop-migrate', cpu: 256, memory: 512, containers }, container: 'migrate', network: { subnets: ['subnet-0ccccccccccccccc1'], securityGroups: ['sg-0ccccccccccccccc1'] } },
      });
    const actual = syncedActual({ ...desired, migrations: [] });
    actual.images['public.ecr.aws/acme/migrate:1'] = { kind: 'unpinnable' };
    actual.migrations['db-migrate'] = { latest: null, tasks: [] };
    const versionOf = (containers: ReturnType<typeof container>[]) => {
      desired.migrations[0] = migration(containers);
      return (migrationOf(plan(desired, actual, POLICY)).find((a) => a.kind === 'RunMigration') as RunMigrationAction).version;
    };

    const first = versionOf([container('log-router', ['fluent-bit'], false), container('migrate', ['migrate', 'up'])]);

    expect(versionOf([container('log-router', ['fluent-bit', '-v'], false), container('migrate', ['migrate', 'up'])])).toBe(first);
    expect(versionOf([container('log-router', ['fluent-bit'], false), container('migrate', ['migrate', 'up', '--all'])])).not.toBe(first);
  });

  it("the wait for a task an earlier pass started ends at its timeout, counted from the task's start, else its creation, else the time steady recorded, else now", () => {
    const desired = desiredShop();
    const actual = runningMigrationTask(syncedActual(desired));
    const task = actual.migrations['db-migrate'].tasks[0];
    const latest = actual.migrations['db-migrate'].latest!;
    const deadline = () => (migrationOf(plan(desired, actual, POLICY))[0] as AwaitMigrationAction).deadline;

    expect(migrationOf(plan(desired, actual, POLICY))[0]).toMatchObject({
      kind: 'AwaitMigration',
      summary: 'wait for migration db-migrate (task 0123456789abcdef0123456789abcdef, RUNNING)',
      taskArn: task.arn,
      taskDefinitionArn: latest.arn,
      diff: [],
      container: 'app',
      attempt: 0,
      startedAt: POLICY.now - 60_000,
      deadline: POLICY.now - 60_000 + 600_000,
    });
    expect(statusOf(plan(desired, actual, POLICY))).toMatchObject({ phase: 'Progressing', reason: 'Running', message: `version ${latest.tags[TAG_MIGRATION_VERSION]} is running (task RUNNING)` });

    delete task.startedAt;
    task.createdAt = POLICY.now - 90_000;
    expect(deadline()).toBe(POLICY.now - 90_000 + 600_000);

    delete task.createdAt;
    latest.tags[TAG_MIGRATION_STARTED] = `0@${POLICY.now - 120_000}`;
    expect(deadline()).toBe(POLICY.now - 120_000 + 600_000);

    latest.tags[TAG_MIGRATION_STARTED] = `1@${POLICY.now - 120_000}`;
    expect(deadline()).toBe(POLICY.now + 600_000);
  });

  it('a fromService naming a service not in the specs fails, and closes the gate', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    desired.migrations[0].spec.fromService = 'billing';
    actual.images[`${REPO}:latest`] = newImage;

    const p = plan(desired, actual, POLICY);

    expect(migrationOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Failed', reason: 'InvalidSpec', message: 'migration db-migrate names no task definition and no service' });
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'WaitingForMigration', message: 'rollout waits: migration db-migrate is not ready (migration db-migrate names no task definition and no service)' });
  });

  it('a migration that could not be observed does not run, and its rollouts wait', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    delete actual.migrations['db-migrate'];
    actual.images[`${REPO}:latest`] = newImage;

    const p = plan(desired, actual, POLICY);

    expect(migrationOf(p)).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: 'migration db-migrate could not be observed; it does not run this pass' });
    expect(p.actions.filter((a) => a.kind === 'UpdateService' && a.taskDefinition)).toEqual([]);
    expect(statusOf(p, 'Service/api').reason).toBe('WaitingForMigration');
  });
});
