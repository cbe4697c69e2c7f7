import { describe, expect, it } from 'vitest';
import { observe } from '../observe/observe.js';
import { createAdapters, runPass } from '../pass.js';
import { buildEnvironment } from '../testing/fleet.js';
import { plan, policyFor } from './plan.js';

const MINUTE = 60_000;

/** 30 services (30 aliases, 1 migration the first service waits for): a first pass of 61 changes. */
function firstPassOf30(stepwise: boolean) {
  const env = buildEnvironment(30, { changeBudget: 25, stepwise });
  const adapters = createAdapters(env.account.clients());
  const pass = async () => (await runPass({ desired: env.desired, adapters, clock: env.account.clock })).result;
  return { ...env, pass };
}

describe('a first pass larger than the change budget', () => {
  it('changes nothing without stepwiseCreation, and says how to allow it', async () => {
    const { account, pass } = firstPassOf30(false);

    const result = await pass();

    expect(result.plan!.budget).toEqual({ limit: 25, used: 61, exceeded: true });
    expect(account.mutatingCalls()).toEqual([]);
    expect(result.resources.find((r) => r.resource === 'Service/svc-0001')!.message).toMatch(/, change fewer resources at once, or set spec\.stepwiseCreation to create the new ones a budget at a time$/);
  });

  it('with stepwiseCreation, creates a budget at a time in dependency order until everything exists', async () => {
    const { account, desired, pass } = firstPassOf30(true);
    const budgets: unknown[] = [];
    const created: string[][] = [];

    for (let i = 0; i < 4; i++) {
      const result = await pass();
      budgets.push(result.plan!.budget);
      created.push([...new Set(result.outcomes.filter((o) => o.state === 'done').map((o) => o.resource))]);
      account.clock.advance(15 * MINUTE);
    }

    expect(budgets).toEqual([
      { limit: 25, used: 25, exceeded: false, deferred: 36 },
      { limit: 25, used: 25, exceeded: false, deferred: 11 },
      { limit: 25, used: 11, exceeded: false },
      { limit: 25, used: 0, exceeded: false },
    ]);
    // The migration before the service that waits for it, in the first step.
    expect(created[0].slice(0, 2)).toEqual(['Migration/migrate-00', 'Service/svc-0000']);
    expect(created.flat().sort()).toEqual([...desired.migrations.map((m) => `Migration/${m.metadata.name}`), ...desired.services.map((s) => `Service/${s.metadata.name}`), ...desired.aliases.map((a) => `AliasRecord/${a.metadata.name}`)].sort());
  });

  it('says of what waits that it is created in a later pass', async () => {
    const { account, desired } = firstPassOf30(true);
    const actual = await observe(desired, createAdapters(account.clients()), () => account.clock.now());

    const p = plan(desired, actual, policyFor(desired, { now: account.clock.now() }));

    const waiting = p.resources.filter((r) => r.reason === 'NextStep');
    expect(waiting).toHaveLength(36);
    expect(waiting[0]).toMatchObject({ phase: 'Progressing' });
    expect(waiting[0].message).toMatch(/; created in a later pass: this pass makes 25 of the 61 changes \(change budget 25, stepwise creation\), new resources in dependency order$/);
    expect(new Set(p.actions.map((a) => a.resource)).size).toBe(25);
  });

  it('still changes nothing when the changes to existing resources alone exceed the budget', async () => {
    const env = buildEnvironment(30, { changeBudget: 100 });
    const adapters = createAdapters(env.account.clients());
    await runPass({ desired: env.desired, adapters, clock: env.account.clock });
    env.account.clock.advance(15 * MINUTE);
    const tight = structuredClone(env.desired);
    tight.environment.spec.changeBudget = 5;
    tight.environment.spec.stepwiseCreation = true;
    for (const s of tight.services) s.spec.desiredCount = 3;

    const { result } = await runPass({ desired: tight, adapters, clock: env.account.clock });

    expect(result.plan!.budget).toEqual({ limit: 5, used: 30, exceeded: true });
    expect(result.plan!.holdAll).toBe(true);
  });
});
