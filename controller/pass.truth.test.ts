/**
 * Issue 14, item 7: an AWS-compatible endpoint that does not say when a task was created. A
 * migration it runs must still time out after its timeout, counted from steady's own RunTask,
 * by whichever pass waits for it; and the message must say how long it ran, not "0 s".
 */
import { describe, expect, it } from 'vitest';
import { countCalls } from './aws/clients.js';
import { createAdapters, runPass } from './pass.js';
import { TAG_MIGRATION_STARTED } from './model/plan.js';
import { exampleAccount, exampleSpecs } from './testing/world.js';

const TASK_OPERATIONS = new Set(['RunTaskCommand', 'DescribeTasksCommand']);

describe('a migration whose task has no createdAt', () => {
  it('is timed from steady\'s own RunTask, across passes, and its timeout says how long it ran', async () => {
    const account = await exampleAccount('shop-prod', { seed: 42 });
    const desired = await exampleSpecs('shop-prod');
    const clients = account.clients();
    // The endpoint leaves out when tasks were created and started, as some AWS look-alikes do.
    clients.ecs.middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        const out = await next(args);
        if (TASK_OPERATIONS.has(context.commandName)) for (const t of out.output.tasks ?? []) delete t.createdAt, delete t.startedAt;
        return out;
      },
      { step: 'initialize', name: 'noTaskTimes' },
    );
    const adapters = createAdapters(clients);
    const calls = countCalls(clients);
    account.ecs.setTaskOutcome({ family: 'shop-api-db-migrate' }, { exitCode: 0, runMs: 2 * 3600_000 });
    const pass = (deadline: number) => runPass({ desired, adapters, clock: account.clock, calls, pollMs: 5_000, deadline });

    const ranAt = account.clock.now();
    const first = await pass(ranAt + 120_000);

    expect(first.result.outcomes.find((o) => o.kind === 'RunMigration')).toMatchObject({ state: 'pending' });
    const family = await adapters.ecs.describeTaskDefinition('shop-api-db-migrate', { tags: true });
    const [attempt, at] = family!.tags![TAG_MIGRATION_STARTED].split('@').map(Number);
    expect(attempt).toBe(0);
    expect(at).toBeGreaterThanOrEqual(ranAt);
    expect(at).toBeLessThan(ranAt + 120_000);

    // 20 minutes later, past the 900 s timeout: the next pass stops it, counting from the RunTask.
    account.clock.advance(20 * 60_000);
    const from = account.calls.length;
    const second = await pass(account.clock.now() + 120_000);

    const waited = second.result.outcomes.find((o) => o.kind === 'AwaitMigration');
    expect(waited).toMatchObject({ state: 'failed' });
    const seconds = Number(/timed out after (\d+) s/.exec(waited!.message!)![1]);
    expect(seconds).toBe(Math.round((account.clock.now() - at) / 1000));
    expect(seconds).toBeGreaterThanOrEqual(20 * 60);
    expect(account.calls.slice(from).filter((c) => c.operation === 'StopTask')).toHaveLength(1);
  });
});
