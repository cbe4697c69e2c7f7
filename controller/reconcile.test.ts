/**
 * Passes with the state table (a real DynamoDB-protocol server): the lease keeps writers apart,
 * the migration ledger keeps a migration version to one RunTask, and losing the table costs
 * history, never correctness.
 */
import { DeleteTableCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passOutcome } from './model/outcome.js';
import { createAdapters, runPass } from './pass.js';
import { buildReport, summaryLine } from './report/index.js';
import { ledgerOf, reconcileEnvironment, type ReconcileOptions } from './reconcile.js';
import { isMutating } from './sim/account.js';
import { createStateTable } from './state/table.js';
import { startStateTable, type LocalStateTable } from './testing/state-table.js';
import { world, type World } from './testing/world.js';

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable();
});
afterAll(() => t.close());

/**
 * The lease here reads the simulated clock too, so a test can let a lease expire without waiting
 * (in production it is always the wall clock: controller/cli/race.test.ts races real processes).
 */
const storeOf = (w: World) => t.store({ clock: w.account.clock, leaseClock: w.account.clock });

function options(w: World, holder: string, extra: Partial<ReconcileOptions> = {}): ReconcileOptions {
  return { adapters: createAdapters(w.account.clients()), clock: w.account.clock, store: storeOf(w), holder, pollMs: 5_000, ...extra };
}

const mutations = (w: World, from = 0) => w.account.calls.slice(from).filter((c) => isMutating(c.operation));

describe('reconcile with the state table', () => {
  it('lets exactly one of two simultaneous passes converge; the other says who holds the lease and until when', async () => {
    const w = await world('shop-prod', { seed: 1 });
    w.desired.name = w.desired.environment.metadata.name = 'race-1';

    const [a, b] = await Promise.all([reconcileEnvironment(w.desired, options(w, 'pass-a')), reconcileEnvironment(w.desired, options(w, 'pass-b'))]);

    const [winner, loser] = a.result.outcome === 'ok' ? [a, b] : [b, a];
    expect(winner.result.outcome).toBe('ok');
    expect(loser.result.outcome).toBe('skipped');
    expect(loser.result.error).toMatch(/^lease for environment race-1 is held by pass-[ab] until 2026-01-01T00:05:00\.000Z$/);
    expect(loser.result.plan).toBeUndefined();
    // Every mutation is one of the winner's actions, each made once: nothing from the other pass.
    expect(winner.result.outcomes.every((o) => o.state === 'done')).toBe(true);
    expect(mutations(w).map((c) => c.operation).sort()).toEqual(
      [
        'RegisterTaskDefinition', // the migration's revision
        'RunTask',
        'TagResource', // the migration's outcome on its revision
        'RegisterTaskDefinition', // the service's revision
        'CreateService',
        'CreateScheduleGroup', // the nightly migration's schedule group,
        'RegisterTaskDefinition', // its revision
        'CreateSchedule', // and its schedule
        'ChangeResourceRecordSets', // both aliases of the zone in one batch
      ].sort(),
    );
    // The lease is released at the end: the next pass gets it.
    w.advance(600_000);
    expect((await reconcileEnvironment(w.desired, options(w, 'pass-c'))).result.outcome).toBe('ok');
  });

  it('finishes the work of a pass that died, once its lease expires', async () => {
    const w = await world('shop-prod', { seed: 2 });
    w.desired.name = w.desired.environment.metadata.name = 'crash-1';
    const store = storeOf(w);
    w.account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate' }, { exitCode: 0, runMs: 120_000 });
    // A pass took the lease, registered the migration's revision and started its task, and died
    // before the task ended (its deadline cut it short), never releasing the lease.
    await store.acquireLease('crash-1', 'dead-pass', 300_000);
    const adapters = createAdapters(w.account.clients());
    const dead = await runPass({ desired: w.desired, adapters, clock: w.account.clock, passId: 'dead-pass', ledger: ledgerOf(store, 'crash-1', 'dead-pass'), pollMs: 5_000, deadline: w.account.clock.now() + 30_000 });
    expect(dead.result.outcomes.find((o) => o.kind === 'RunMigration')).toMatchObject({ state: 'pending' });
    const from = w.account.calls.length;

    const blocked = await reconcileEnvironment(w.desired, options(w, 'pass-b'));
    expect(blocked.result.outcome).toBe('skipped');
    expect(mutations(w, from)).toEqual([]);

    w.advance(300_001);
    const { result } = await reconcileEnvironment(w.desired, options(w, 'pass-c'));
    expect(result.outcome).toBe('ok');
    expect(result.outcomes.every((o) => o.state === 'done')).toBe(true);
    // The dead pass's migration task is waited for, not started again.
    expect(w.account.calls.filter((c) => c.operation === 'RunTask')).toHaveLength(1);
    expect(result.outcomes.find((o) => o.resource === 'Migration/db-migrate')).toMatchObject({ kind: 'AwaitMigration', state: 'done' });
    w.advance(600_000);
    const { result: quiet } = await reconcileEnvironment(w.desired, options(w, 'pass-d'));
    expect(quiet.plan!.actions).toEqual([]);
  });

  it('stops a pass whose lease is taken over mid-pass, makes no change after that, and says so (not "Converging")', async () => {
    const w = await world('shop-prod', { seed: 6 });
    w.desired.name = w.desired.environment.metadata.name = 'lost-1';
    const clients = w.account.clients();
    // While pass-a's migration task is being started, pass-a stalls past its TTL and pass-b takes over.
    clients.ecs.middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        if (context.commandName === 'RunTaskCommand') {
          w.advance(300_001);
          await storeOf(w).acquireLease('lost-1', 'pass-b', 300_000);
        }
        return next(args);
      },
      { step: 'initialize', name: 'takeOverDuringRunTask' },
    );
    const from = w.account.calls.length;

    const run = await reconcileEnvironment(w.desired, { ...options(w, 'pass-a'), adapters: createAdapters(clients) });

    const takenOver = w.account.calls.findIndex((c, i) => i >= from && c.operation === 'RunTask');
    // Nothing changed after the takeover but what was already in flight.
    expect(mutations(w, takenOver + 1).map((c) => c.operation)).toEqual([]);
    expect(run.result.interrupted).toMatchObject({ reason: 'leaseLost', stage: 'converge', message: expect.stringContaining('the lease was taken over by pass-b (version 2') });
    expect(passOutcome(run.result).verdict).toBe('interrupted');
    expect(summaryLine(buildReport(run.result))).toMatch(/^Interrupted while changing AWS: renewing the lease .*: the lease was taken over by pass-b .*; stop changing AWS\. Done: 3 registered, .* 1 converging, 3 created\.$/);
    // The migration's outcome is left for the new holder to record; the rollout waiting on it is not started.
    expect(run.result.outcomes.find((o) => o.kind === 'RunMigration')).toMatchObject({ state: 'pending', message: expect.stringMatching(/; not recorded: .*taken over by pass-b/) });
    expect(run.result.outcomes.find((o) => o.kind === 'CreateService')).toMatchObject({ state: 'blocked' });
    expect(run.lease).toMatchObject({ state: 'held', holder: 'pass-a', version: 1, end: 'lost' });
    // pass-b's lease is untouched by pass-a's release, and the interrupted pass is recorded as such.
    expect(await storeOf(w).readLease('lost-1')).toMatchObject({ holder: 'pass-b', version: 2, state: 'held' });
    expect(await storeOf(w).lastPass('lost-1')).toMatchObject({ verdict: 'interrupted', interrupted: { reason: 'leaseLost' } });
  });

  it('runs a migration version once when two passes race for it', async () => {
    const w = await world('shop-prod', { seed: 3 });
    w.desired.name = w.desired.environment.metadata.name = 'race-2';
    const store = t.store({ clock: w.account.clock });
    const adapters = createAdapters(w.account.clients());
    // No lease here on purpose: the ledger must hold even when two passes overlap.
    const pass = (id: string) => runPass({ desired: w.desired, adapters, clock: w.account.clock, passId: id, ledger: ledgerOf(store, 'race-2', id), pollMs: 5_000 });

    const [a, b] = await Promise.all([pass('pass-a'), pass('pass-b')]);

    expect(w.account.calls.filter((c) => c.operation === 'RunTask')).toHaveLength(1);
    const runs = [a, b].map((p) => p.result.outcomes.find((o) => o.kind === 'RunMigration')!);
    const task = w.account.calls.find((c) => c.operation === 'RunTask')!;
    expect(task.error).toBeUndefined();
    // The pass that lost the claim finds the winner's task in the ledger and waits for that one.
    const [first, second] = runs.map((o) => [o.state, o.message]);
    expect(first).toEqual(['done', expect.stringMatching(/^succeeded \(task [0-9a-f]{32}\)$/)]);
    expect(second).toEqual(first);
  });

  it('converges after the table is deleted and recreated, and history starts again', async () => {
    const w = await world('shop-prod', { seed: 4 });
    w.desired.name = w.desired.environment.metadata.name = 'table-1';
    await reconcileEnvironment(w.desired, options(w, 'pass-a'));
    w.advance(600_000);
    await t.client.send(new DeleteTableCommand({ TableName: t.tableName }));
    await createStateTable(t.client, t.tableName);
    w.account.ecr.push('shop-api', 'latest');

    const { result } = await reconcileEnvironment(w.desired, options(w, 'pass-b'));

    expect(result.outcomes.map((o) => `${o.kind}:${o.state}`)).toEqual([
      'RegisterTaskDefinition:done',
      'RunMigration:done',
      'RegisterTaskDefinition:done',
      'UpdateService:done',
      'RegisterTaskDefinition:done', // the nightly migration's new revision,
      'UpdateSchedule:done', // which its schedule now runs
    ]);
    const store = t.store({ clock: w.account.clock });
    expect((await store.listPasses('table-1', 0)).map((p) => p.passId)).toEqual([result.passId]);
    expect((await store.loadStatuses('table-1')).map((s) => s.resource).sort()).toEqual(['AliasRecord/apex-dns', 'AliasRecord/api-dns', 'Maintenance/shop', 'Migration/db-migrate', 'ScheduledTask/db-migrate-nightly', 'Service/api', 'Wiring/api']);
  });

  it('makes no AWS change when the lease cannot be taken: throttling or an outage is a clear failed pass', async () => {
    const w = await world('shop-prod', { seed: 5 });
    w.desired.name = w.desired.environment.metadata.name = 'outage-1';
    const name = 'throttle-everything';
    t.client.middlewareStack.add(
      () => async () => {
        throw new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
      },
      { step: 'initialize', name },
    );
    let throttled;
    try {
      throttled = await reconcileEnvironment(w.desired, options(w, 'pass-a'));
    } finally {
      t.client.middlewareStack.remove(name);
    }
    expect(throttled.result.outcome).toBe('failed');
    expect(throttled.result.error).toMatch(/^acquiring the lease for environment outage-1 as pass-a in table steady-state: ProvisionedThroughputExceededException/);
    expect(mutations(w)).toEqual([]);

    const down = await startStateTable('other-table');
    await down.close();
    const outage = await reconcileEnvironment(w.desired, { ...options(w, 'pass-b'), store: down.store({ clock: w.account.clock }) });
    expect(outage.result.outcome).toBe('failed');
    expect(outage.result.error).toMatch(/^acquiring the lease for environment outage-1 as pass-b in table other-table: /);
    expect(mutations(w)).toEqual([]);
  });
});
