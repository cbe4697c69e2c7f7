/**
 * Executing migrations against the simulated account and the real ledger (a DynamoDB-protocol
 * server): results and timeouts, the migration's own container deciding the result, the ledger's
 * claim keeping a version to one RunTask, and the paths where ECS does not do what was asked. Each
 * test guards a rule mutation testing found unguarded (docs/mutation.md).
 */
import { PassInterruptedError } from '../errors.js';
import { stopFor } from '../interrupt.js';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsTask } from '../model/aws.js';
import { TAG_MIGRATION_RESULT, TAG_MIGRATION_STARTED, type AwaitMigrationAction, type RunMigrationAction } from '../model/plan.js';
import { createAdapters } from '../pass.js';
import { ledgerOf } from '../reconcile.js';
import type { SimAccount } from '../sim/account.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { world } from '../testing/world.js';
import { Outputs, STALE_CLAIM_MS, type ExecContext, type WaitProgress } from './context.js';
import { awaitMigration, migrationFailure, runMigration } from './migration.js';

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable();
});
afterAll(() => t.close());

const NETWORK = { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' as const };
const VERSION = 'v1abc';

interface Setup {
  account: SimAccount;
  ctx: ExecContext;
  arn: string;
  action: RunMigrationAction;
  ledger: ReturnType<typeof ledgerOf>;
  env: string;
  calls: () => string[];
}

/** A migration revision (app + a log-router sidecar) in the simulated account, and an execution context for one pass. */
async function setup(env: string, options: { passDeadlineMs?: number; ledger?: boolean; noTaskTimes?: boolean } = {}): Promise<Setup> {
  const w = await world('shop-prod', { seed: env.length });
  const account = w.account;
  const clients = account.clients();
  if (options.noTaskTimes) {
    // An endpoint that leaves out when tasks were created and started, as some AWS look-alikes do (see pass.truth.test.ts).
    clients.ecs.middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        const out = await next(args);
        if (context.commandName === 'RunTaskCommand' || context.commandName === 'DescribeTasksCommand') for (const t of out.output.tasks ?? []) delete t.createdAt, delete t.startedAt;
        return out;
      },
      { step: 'initialize', name: 'noTaskTimes' },
    );
  }
  const out = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'shop-api-db-migrate',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image: '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest', essential: true, command: ['serve'] },
        { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false },
      ],
    }),
  );
  const arn = out.taskDefinition!.taskDefinitionArn!;
  const store = t.store({ clock: account.clock });
  const ledger = ledgerOf(store, env, 'pass-me');
  const from = account.calls.length;
  const deadline = account.clock.now() + (options.passDeadlineMs ?? 3_600_000);
  const ctx: ExecContext = {
    plan: { environment: env, policy: { mode: 'enforce', dryRun: false, changeBudget: 20, now: account.clock.now() }, actions: [], resources: [], budget: { limit: 20, used: 0, exceeded: false }, holdAll: false },
    adapters: createAdapters(clients),
    outputs: new Outputs(),
    clock: account.clock,
    ...(options.ledger === false ? {} : { ledger }),
    pollMs: 5_000,
    insyncWaitMs: 60_000,
    deadline,
    passId: 'pass-me',
    stop: stopFor({ clock: account.clock, deadline }),
  };
  const action: RunMigrationAction = {
    kind: 'RunMigration',
    id: 'run:Migration/db-migrate',
    resource: 'Migration/db-migrate',
    summary: 'run migration db-migrate',
    diff: [],
    dependsOn: [],
    cluster: 'shop-prod',
    migration: 'db-migrate',
    version: VERSION,
    attempt: 0,
    taskDefinition: { arn },
    container: 'app',
    command: ['alembic', 'upgrade', 'head'],
    network: NETWORK,
    startedBy: `steady/db-migrate/${VERSION}/0`,
    clientToken: `steady-${env}-token`,
    timeoutSeconds: 600,
  };
  return { account, ctx, arn, action, ledger, env, calls: () => account.calls.slice(from).map((c) => c.operation) };
}

async function tagsOf(s: Setup): Promise<Record<string, string>> {
  const td = await s.ctx.adapters.ecs.describeTaskDefinition(s.arn, { tags: true });
  return td!.tags!;
}

async function resultTag(s: Setup): Promise<string | undefined> {
  return (await tagsOf(s))[TAG_MIGRATION_RESULT];
}

/** The AwaitMigration of db-migrate's version VERSION, attempt 0, for the task and deadline given. */
const awaitAction = (s: Setup, wait: Pick<AwaitMigrationAction, 'taskArn' | 'deadline' | 'startedAt'>): AwaitMigrationAction => ({
  kind: 'AwaitMigration',
  id: 'wait:Migration/db-migrate',
  resource: 'Migration/db-migrate',
  summary: 'wait',
  diff: [],
  dependsOn: [],
  cluster: 'shop-prod',
  migration: 'db-migrate',
  version: VERSION,
  attempt: 0,
  container: 'app',
  taskDefinitionArn: s.arn,
  ...wait,
});
const entry = (s: Setup) => t.store().getMigration({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0 });

describe('a migration result is the truth about its task', () => {
  it('a migration that exits non-zero is recorded failed on its revision and in the ledger, never succeeded', async () => {
    const s = await setup('mig-failed');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 1, runMs: 30_000 });

    const r = await runMigration(s.action, s.ctx);

    expect(r).toMatchObject({ state: 'failed', message: expect.stringMatching(/^migration db-migrate failed: exit code 1 \(task [0-9a-f]{32}\)$/) });
    expect(await resultTag(s)).toBe('failed: exit code 1');
    expect(await entry(s)).toMatchObject({ state: 'failed', reason: 'exit code 1' });
  });

  it('a migration that exits 0 is recorded succeeded on its revision and in the ledger', async () => {
    const s = await setup('mig-ok');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 30_000 });

    const r = await runMigration(s.action, s.ctx);

    expect(r).toMatchObject({ state: 'done', message: expect.stringMatching(/^succeeded \(task [0-9a-f]{32}\)$/) });
    expect(await resultTag(s)).toBe('succeeded');
    expect(await entry(s)).toMatchObject({ state: 'succeeded' });
  });

  it("with a sidecar, the migration's own container decides the result, whichever container stops first", () => {
    const task = (containers: EcsTask['containers']): EcsTask => ({
      arn: 'arn:aws:ecs:ap-northeast-1:123456789012:task/shop-prod/0123456789abcdef0123456789abcdef',
      clusterArn: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/shop-prod',
      taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api-db-migrate:1',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers,
      tags: {},
    });
    const sidecarOk = { name: 'log-router', lastStatus: 'STOPPED', exitCode: 0 };

    expect(migrationFailure(task([sidecarOk, { name: 'app', lastStatus: 'STOPPED', exitCode: 1, reason: 'OutOfMemoryError' }]), 'app')).toBe('exit code 1 (OutOfMemoryError)');
    expect(migrationFailure(task([{ name: 'log-router', lastStatus: 'STOPPED', exitCode: 1 }, { name: 'app', lastStatus: 'STOPPED', exitCode: 0 }]), 'app')).toBeUndefined();
    // The migration's container never got to exit: the task's own reason says why.
    expect(migrationFailure(task([sidecarOk, { name: 'app', lastStatus: 'STOPPED' }]), 'app')).toBe('Essential container in task exited');
  });

  it('a migration that outruns timeoutSeconds is stopped and recorded failed, with how long it ran', async () => {
    const s = await setup('mig-timeout');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 2 * 3_600_000 });
    const started = s.account.clock.now();

    const r = await runMigration({ ...s.action, timeoutSeconds: 120 }, s.ctx);

    expect(r).toMatchObject({ state: 'failed', message: expect.stringMatching(/^migration db-migrate timed out after 12\d s; the task was stopped \(task [0-9a-f]{32}\)$/) });
    expect(s.calls()).toContain('StopTask');
    const stop = s.account.calls.find((c) => c.operation === 'StopTask')!;
    expect((stop.input as { reason: string }).reason).toMatch(/^steady: migration db-migrate timed out after 12\d s$/);
    expect(await resultTag(s)).toMatch(/^failed: timed out after 12\d s$/);
    expect(await entry(s)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/^timed out after 12\d s$/) });
    expect(s.account.clock.now() - started).toBeLessThan(130_000);
  });

  it('a migration still running when the pass runs out of time is left pending, and the pass does not sleep past its deadline', async () => {
    // 62.5 s: not a whole number of 5 s polls, so a wait that sleeps one poll too many ends past the deadline.
    const s = await setup('mig-pass-deadline', { passDeadlineMs: 62_500 });
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 3_600_000 });

    const r = await runMigration(s.action, s.ctx);

    expect(r).toMatchObject({ state: 'pending', message: expect.stringMatching(/^migration task [0-9a-f]{32} is (RUNNING|PENDING|PROVISIONING); the next pass waits for it$/) });
    // It stops when one more poll would not fit before the deadline, not at the deadline (nor after it).
    expect(s.ctx.deadline - s.account.clock.now()).toBeGreaterThan(0);
    expect(s.ctx.deadline - s.account.clock.now()).toBeLessThan(s.ctx.pollMs);
    expect(s.calls()).not.toContain('StopTask');
    expect(await resultTag(s)).toBeUndefined();
  });

  it('a failure reason longer than a tag value may be is cut to 256 characters on the revision', async () => {
    const s = await setup('mig-long-reason');
    const reason = `boom ${'x'.repeat(400)}`;
    // Another pass ran it to the end and wrote the ledger, but died before tagging the revision.
    const store = t.store({ clock: s.account.clock });
    await store.claimMigration({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, passId: 'pass-dead' });
    await store.recordMigrationResult({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, result: 'failed', reason, passId: 'pass-dead' });

    const r = await runMigration(s.action, s.ctx);

    expect(r).toEqual({ state: 'failed', message: `migration db-migrate failed: ${reason}` });
    expect(await resultTag(s)).toBe(`failed: ${reason}`.slice(0, 256));
    expect(s.calls()).not.toContain('RunTask');
  });
});

describe('the ledger keeps a migration version to one RunTask', () => {
  it.each([
    ['succeeded', 'its result is written onto the revision', 'exit code 0', { state: 'done', message: 'succeeded (recorded by pass-dead)' }, 'succeeded'],
    ['failed', 'the failure goes onto the revision', 'exit code 2', { state: 'failed', message: 'migration db-migrate failed: exit code 2' }, 'failed: exit code 2'],
  ] as const)('a version the ledger says %s is not run again: %s', async (result, _what, reason, outcome, tag) => {
    const s = await setup(`mig-ledger-${result}`);
    const store = t.store({ clock: s.account.clock });
    await store.claimMigration({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, passId: 'pass-dead' });
    await store.recordMigrationResult({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, result, reason, passId: 'pass-dead' });

    const r = await runMigration(s.action, s.ctx);

    expect(r).toEqual(outcome);
    expect(s.calls()).toEqual(['TagResource']);
    expect(await resultTag(s)).toBe(tag);
  });

  it("a version another pass claimed and started is waited for, not run again, with the migration's full timeout", async () => {
    const s = await setup('mig-ledger-wait');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 60_000 });
    const store = t.store({ clock: s.account.clock });
    await store.claimMigration({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, passId: 'pass-other' });
    const other = await s.ctx.adapters.ecs.runTask({ cluster: 'shop-prod', taskDefinition: s.arn, network: NETWORK, startedBy: s.action.startedBy, overrides: [{ containerName: 'app' }], tags: {} });
    await store.recordMigrationTask({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, taskArn: other.tasks[0].arn });
    const from = s.account.calls.length;

    const r = await runMigration(s.action, s.ctx);

    const ops = s.account.calls.slice(from).map((c) => c.operation);
    expect(ops).not.toContain('RunTask');
    expect(ops).not.toContain('StopTask');
    expect(r).toEqual({ state: 'done', message: `succeeded (task ${other.tasks[0].arn.split('/').pop()})` });
    expect(await resultTag(s)).toBe('succeeded');
  });

  it('a fresh claim without a task is left to the pass that is starting it', async () => {
    const s = await setup('mig-ledger-fresh');
    const store = t.store({ clock: s.account.clock });
    await store.claimMigration({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, passId: 'pass-other' });
    s.account.clock.advance(STALE_CLAIM_MS - 1_000);

    const r = await runMigration(s.action, s.ctx);

    expect(r).toEqual({ state: 'pending', message: 'another pass (pass-other) is starting this migration version' });
    expect(s.calls()).toEqual([]);
  });

  it('a claim without a task older than five minutes is taken over: the pass that made it died before RunTask', async () => {
    const s = await setup('mig-ledger-stale');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 30_000 });
    const store = t.store({ clock: s.account.clock });
    await store.claimMigration({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, passId: 'pass-dead' });
    s.account.clock.advance(5 * 60_000 + 1_000);

    const r = await runMigration(s.action, s.ctx);

    expect(s.calls().filter((c) => c === 'RunTask')).toHaveLength(1);
    expect(r).toMatchObject({ state: 'done' });
  });
});

describe('when ECS does not do what was asked', () => {
  it('RunTask that starts no task fails the migration with the reasons ECS gave, and records nothing as run', async () => {
    const s = await setup('mig-no-task');
    s.account.ecs.refuseRunTask({ taskDefinition: 'shop-api-db-migrate' }, { reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' });

    const r = await runMigration(s.action, s.ctx);

    expect(r).toEqual({ state: 'failed', message: 'ECS did not start the migration task: Capacity is unavailable at this time. Please try again later or in a different availability zone' });
    expect(await resultTag(s)).toBeUndefined();
    expect(await entry(s)).toMatchObject({ state: 'claimed' });
    expect((await entry(s))?.taskArn).toBeUndefined();
  });

  it('a task ECS no longer knows fails the wait with what to do, and writes no result', async () => {
    const s = await setup('mig-unknown-task', { ledger: false });
    const gone = 'arn:aws:ecs:ap-northeast-1:123456789012:task/shop-prod/ffffffffffffffffffffffffffffffff';
    const wait = awaitAction(s, { taskArn: gone, deadline: s.account.clock.now() + 600_000 });

    const r = await awaitMigration(wait, s.ctx);

    expect(r).toEqual({ state: 'failed', message: 'migration task ffffffffffffffffffffffffffffffff is no longer known to ECS; run `steady retry migration/db-migrate` to run it again' });
    expect(s.calls()).toEqual(['DescribeTasks']);
  });
});

describe('a migration result is written only by the pass that holds the lease', () => {
  const lost = async () => {
    throw new PassInterruptedError('leaseLost', 'the lease was taken over by pass-2');
  };

  it('a lease lost while the task ran: the stopped task is left to the new holder, nothing recorded', async () => {
    const s = await setup('mig-lease-stop');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 30_000 });

    const r = await runMigration(s.action, { ...s.ctx, beforeChange: lost });

    // Not while it runs (nothing is changed then): only once it stopped, when the result would be written.
    expect(r).toEqual({ state: 'pending', message: expect.stringMatching(/^migration task [0-9a-f]{32} is STOPPED; not recorded: the lease was taken over by pass-2$/) });
    expect(await resultTag(s)).toBeUndefined();
    expect(await entry(s)).toMatchObject({ state: 'started' });
  });

  it('a lease lost when the migration times out: the task is not stopped, nothing recorded', async () => {
    const s = await setup('mig-lease-timeout');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 3_600_000 });

    const r = await runMigration({ ...s.action, timeoutSeconds: 60 }, { ...s.ctx, beforeChange: lost });

    expect(r).toEqual({ state: 'pending', message: expect.stringMatching(/^migration task [0-9a-f]{32} is RUNNING; not recorded: the lease was taken over by pass-2$/) });
    expect(s.calls()).not.toContain('StopTask');
    expect(await resultTag(s)).toBeUndefined();
  });

  it('with the lease held, the result is recorded (the check lets it through)', async () => {
    const s = await setup('mig-lease-held');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 30_000 });
    let checks = 0;

    const r = await runMigration(s.action, { ...s.ctx, beforeChange: async () => void checks++ });

    expect(r).toMatchObject({ state: 'done' });
    expect(checks).toBe(1);
    expect(await entry(s)).toMatchObject({ state: 'succeeded', reason: 'exit code 0' });
  });
});

describe('without a state table', () => {
  it('a migration runs once with its command in its own container, tagged as steady\'s, and its result goes onto the revision', async () => {
    const s = await setup('mig-no-ledger', { ledger: false });
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 3, runMs: 30_000 });

    const r = await runMigration(s.action, s.ctx);

    expect(r).toMatchObject({ state: 'failed', message: expect.stringMatching(/^migration db-migrate failed: exit code 3 \(task [0-9a-f]{32}\)$/) });
    const run = s.account.calls.filter((c) => c.operation === 'RunTask');
    expect(run).toHaveLength(1);
    expect(run[0].input).toMatchObject({
      clientToken: 'steady-mig-no-ledger-token',
      startedBy: `steady/db-migrate/${VERSION}/0`,
      overrides: { containerOverrides: [{ name: 'app', command: ['alembic', 'upgrade', 'head'] }] },
      tags: expect.arrayContaining([{ key: 'steady:resource', value: 'Migration/db-migrate' }, { key: 'steady:environment', value: 'mig-no-ledger' }]),
    });
    expect(await resultTag(s)).toBe('failed: exit code 3');
    expect(await entry(s)).toBeUndefined();
  });

  it('a migration without a command runs the image\'s own', async () => {
    const s = await setup('mig-no-command', { ledger: false });
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 30_000 });

    await runMigration({ ...s.action, command: undefined }, s.ctx);

    const run = s.account.calls.find((c) => c.operation === 'RunTask')!;
    expect(run.input.overrides).toEqual({ containerOverrides: [{ name: 'app' }] });
  });
});

describe('the claim of a pass that died before RunTask', () => {
  it('is taken over when exactly five minutes old', async () => {
    const s = await setup('mig-ledger-stale-edge');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 30_000 });
    const store = t.store({ clock: s.account.clock });
    await store.claimMigration({ environment: s.env, migration: 'db-migrate', version: VERSION, attempt: 0, passId: 'pass-dead' });
    s.account.clock.advance(STALE_CLAIM_MS);

    const r = await runMigration(s.action, s.ctx);

    expect(s.calls().filter((c) => c === 'RunTask')).toHaveLength(1);
    expect(r).toMatchObject({ state: 'done' });
  });

});

describe('timeouts and results, to the millisecond', () => {
  it("a task that does not say when it was created (an AWS look-alike) is timed from steady's own RunTask, which is remembered on the revision", async () => {
    const s = await setup('mig-no-created', { noTaskTimes: true });
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 3_600_000 });
    const ranAt = s.account.clock.now();

    const r = await runMigration({ ...s.action, timeoutSeconds: 120 }, s.ctx);

    expect(r).toMatchObject({ state: 'failed', message: expect.stringMatching(/^migration db-migrate timed out after 120 s; the task was stopped \(task [0-9a-f]{32}\)$/) });
    expect(s.account.clock.now()).toBe(ranAt + 120_000);
    expect((await tagsOf(s))[TAG_MIGRATION_STARTED]).toBe(`0@${ranAt}`);
  });

  it('a task that says when it was created is timed from then, and no start time is written onto the revision', async () => {
    const s = await setup('mig-created');
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 30_000 });

    await runMigration(s.action, s.ctx);

    const tags = await tagsOf(s);
    expect(tags[TAG_MIGRATION_RESULT]).toBe('succeeded');
    expect(tags[TAG_MIGRATION_STARTED]).toBeUndefined();
  });

  it('without a state table, a migration that outruns a timeout of no whole number of polls is stopped exactly at it and recorded failed on its revision', async () => {
    const s = await setup('mig-timeout-odd', { ledger: false });
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 3_600_000 });
    const ranAt = s.account.clock.now();

    const r = await runMigration({ ...s.action, timeoutSeconds: 62 }, s.ctx);

    expect(r).toMatchObject({ state: 'failed', message: expect.stringMatching(/^migration db-migrate timed out after 62 s; the task was stopped \(task [0-9a-f]{32}\)$/) });
    expect(s.account.clock.now()).toBe(ranAt + 62_000);
    expect(s.calls().filter((c) => c === 'StopTask')).toHaveLength(1);
    expect(await resultTag(s)).toBe('failed: timed out after 62 s');
  });

  it("waiting for an earlier pass's task counts the timeout from the task's start the plan gives, and each poll is told to progress with it", async () => {
    const s = await setup('mig-await-started', { ledger: false });
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 3_600_000 });
    const earlier = await s.ctx.adapters.ecs.runTask({ cluster: 'shop-prod', taskDefinition: s.arn, network: NETWORK, startedBy: s.action.startedBy, overrides: [{ containerName: 'app' }], tags: {} });
    const taskArn = earlier.tasks[0].arn;
    const taskId = taskArn.split('/').pop();
    s.account.clock.advance(200_000);
    const [task] = (await s.ctx.adapters.ecs.describeTasks('shop-prod', [taskArn])).tasks;
    // ECS's startedAt (RUNNING) comes after createdAt (PENDING): the plan times the wait from startedAt.
    expect(task.startedAt).toBeGreaterThan(task.createdAt!);
    const progress: WaitProgress[] = [];
    const wait = awaitAction(s, { taskArn, startedAt: task.startedAt, deadline: task.startedAt! + 300_000 });

    const r = await awaitMigration(wait, { ...s.ctx, progress: (p) => progress.push(p) });

    expect(r).toEqual({ state: 'failed', message: `migration db-migrate timed out after 300 s; the task was stopped (task ${taskId})` });
    expect(s.account.clock.now()).toBe(task.startedAt! + 300_000);
    expect(progress.length).toBeGreaterThan(1);
    for (const p of progress) expect(p).toEqual({ resource: 'Migration/db-migrate', waitingFor: `migration db-migrate (task ${taskId})`, status: 'RUNNING', since: task.startedAt, now: p.now });
  });

  it('a poll that fits exactly before the pass deadline is still made: the pass waits up to its deadline, not one poll less', async () => {
    const s = await setup('mig-pass-deadline-exact', { passDeadlineMs: 60_000 });
    s.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate', container: 'app' }, { exitCode: 0, runMs: 3_600_000 });

    const r = await runMigration(s.action, s.ctx);

    expect(r).toMatchObject({ state: 'pending' });
    expect(s.account.clock.now()).toBe(s.ctx.deadline);
  });

  it('a migration task that could not start, with a pull error longer than a tag value may be, is recorded failed with the reason cut to 256 characters', async () => {
    const s = await setup('mig-pull-error');
    const image = `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:${'0f'.repeat(32)}`;
    const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: ${image}: not found`;
    s.account.ecs.failTasksToStart({ taskDefinition: 'shop-api-db-migrate' }, reason);

    const r = await runMigration(s.action, s.ctx);

    expect(r).toMatchObject({ state: 'failed', message: expect.stringMatching(/^migration db-migrate failed: CannotPullContainerError: .* not found \(task [0-9a-f]{32}\)$/) });
    expect(reason.length).toBeGreaterThan(256);
    expect(await resultTag(s)).toBe(`failed: ${reason}`.slice(0, 256));
    expect(await entry(s)).toMatchObject({ state: 'failed', reason });
  });

  it('RunTask refused with a detail says both; a failure the ledger holds without a reason says to look there', async () => {
    const s = await setup('mig-no-task-detail', { ledger: false });
    s.account.ecs.refuseRunTask({ taskDefinition: 'shop-api-db-migrate' }, { reason: 'RESOURCE:MEMORY', detail: 'no container instance has 512 MiB free' });
    expect(await runMigration(s.action, s.ctx)).toEqual({ state: 'failed', message: 'ECS did not start the migration task: RESOURCE:MEMORY (no container instance has 512 MiB free)' });

    const t2 = await setup('mig-ledger-no-reason');
    const store = t.store({ clock: t2.account.clock });
    await store.claimMigration({ environment: t2.env, migration: 'db-migrate', version: VERSION, attempt: 0, passId: 'pass-dead' });
    await store.recordMigrationResult({ environment: t2.env, migration: 'db-migrate', version: VERSION, attempt: 0, result: 'failed', passId: 'pass-dead' });
    expect(await runMigration(t2.action, t2.ctx)).toEqual({ state: 'failed', message: 'migration db-migrate failed: see the ledger' });
    expect(await resultTag(t2)).toBe('failed: see the ledger');
  });
});

describe("which container's exit decides", () => {
  const task = (containers: EcsTask['containers'], stopped: Partial<EcsTask> = { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }): EcsTask => ({
    arn: 'arn:aws:ecs:ap-northeast-1:123456789012:task/shop-prod/0123456789abcdef0123456789abcdef',
    clusterArn: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/shop-prod',
    taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api-db-migrate:1',
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    ...stopped,
    containers,
    tags: {},
  });

  it("without the migration's container name (or with one the task lacks), the container that exited decides, not the first listed", () => {
    const containers = [{ name: 'log-router', lastStatus: 'STOPPED' }, { name: 'app', lastStatus: 'STOPPED', exitCode: 2 }];
    expect(migrationFailure(task(containers))).toBe('exit code 2');
    expect(migrationFailure(task(containers), 'migrate')).toBe('exit code 2');
    expect(migrationFailure(task([{ name: 'log-router', lastStatus: 'STOPPED' }, { name: 'app', lastStatus: 'STOPPED', exitCode: 0 }]))).toBeUndefined();
  });

  it('a stopped task that lists no container fails with what ECS said, or says it stopped without an exit code', () => {
    expect(migrationFailure(task([]), 'app')).toBe('Essential container in task exited');
    expect(migrationFailure(task([], { stopCode: 'TaskFailedToStart' }), 'app')).toBe('TaskFailedToStart');
    expect(migrationFailure(task([], {}), 'app')).toBe('the task stopped without an exit code');
  });
});
