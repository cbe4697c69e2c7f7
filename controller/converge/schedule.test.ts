import { describe, expect, it } from 'vitest';
import type { Action } from '../model/plan.js';
import { schedule, type ExecResult, type Unit } from './schedule.js';

function tag(id: string, dependsOn: string[] = []): Action {
  return { kind: 'TagResource', id, resource: `Service/${id}`, summary: `do ${id}`, diff: [], dependsOn, arn: 'arn', tags: {}, purpose: 'record' };
}
const units = (...actions: Action[]): Unit[] => actions.map((a) => ({ actions: [a] }));
const now = () => 0;

describe('schedule', () => {
  it('runs an action only after what it depends on is done', async () => {
    const order: string[] = [];
    const outcomes = await schedule(
      units(tag('rollout', ['register', 'migrate']), tag('register'), tag('migrate')),
      async (u) => {
        order.push(u.actions[0].id);
        return [{ state: 'done' }];
      },
      { concurrency: 4, now },
    );
    expect(order.indexOf('rollout')).toBe(2);
    expect(outcomes.map((o) => `${o.actionId}:${o.state}`)).toEqual(['rollout:done', 'register:done', 'migrate:done']);
  });

  it('blocks the dependants of a failed action and still runs the independent ones', async () => {
    const outcomes = await schedule(
      units(tag('migrate'), tag('rollout', ['migrate']), tag('alias')),
      async (u): Promise<ExecResult[]> => (u.actions[0].id === 'migrate' ? [{ state: 'failed', message: 'exit code 1' }] : [{ state: 'done' }]),
      { concurrency: 1, now },
    );
    expect(outcomes.map((o) => [o.actionId, o.state, o.message])).toEqual([
      ['migrate', 'failed', 'exit code 1'],
      ['rollout', 'blocked', 'waits for "do migrate", which failed: exit code 1'],
      ['alias', 'done', undefined],
    ]);
  });

  it('turns a thrown error into a failed outcome with the AWS error name', async () => {
    const err = Object.assign(new Error('updating service api: ServiceNotActiveException: Service was not ACTIVE.'), { awsName: 'ServiceNotActiveException' });
    const [o] = await schedule(units(tag('a')), async () => Promise.reject(err), { concurrency: 1, now });
    expect(o).toMatchObject({ state: 'failed', awsName: 'ServiceNotActiveException', message: err.message });
  });

  it('never runs more units at once than the concurrency bound', async () => {
    let inFlight = 0;
    let peak = 0;
    await schedule(
      units(...Array.from({ length: 10 }, (_, i) => tag(`a${i}`))),
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return [{ state: 'done' }];
      },
      { concurrency: 3, now },
    );
    expect(peak).toBe(3);
  });

  it('starts nothing more once told to stop, leaving the rest pending for the next pass', async () => {
    let started = 0;
    const outcomes = await schedule(
      units(tag('a'), tag('b'), tag('c')),
      async () => {
        started++;
        return [{ state: 'done' }];
      },
      { concurrency: 1, now, stopReason: () => (started >= 1 ? 'the Lambda is about to time out' : undefined) },
    );
    expect(outcomes.map((o) => `${o.actionId}:${o.state}`)).toEqual(['a:done', 'b:pending', 'c:pending']);
    expect(outcomes[1].message).toBe('not started: the Lambda is about to time out');
  });

  it('reports actions whose dependencies can never be met instead of hanging', async () => {
    const outcomes = await schedule(units(tag('a', ['b']), tag('b', ['a'])), async () => [{ state: 'done' }], { concurrency: 2, now });
    expect(outcomes.map((o) => [o.state, o.message])).toEqual([
      ['blocked', 'its dependencies cannot be satisfied'],
      ['blocked', 'its dependencies cannot be satisfied'],
    ]);
  });

  it('a dependency listed after its dependant still decides it: blocked with why, not reported as unsatisfiable', async () => {
    // Nothing runs (the pass must stop), so the dependant is settled only on the sweep after its dependency.
    const outcomes = await schedule(units(tag('rollout', ['migrate']), tag('migrate')), async () => [{ state: 'done' }], { concurrency: 1, now, stopReason: () => 'the deadline has passed' });
    expect(outcomes.map((o) => [o.actionId, o.state, o.message])).toEqual([
      ['rollout', 'blocked', 'waits for "do migrate", which has not finished: not started: the deadline has passed'],
      ['migrate', 'pending', 'not started: the deadline has passed'],
    ]);
  });

  it('a dependency on an action outside the plan is satisfied already, and actions of one unit may depend on each other', async () => {
    const ran: string[] = [];
    const outcomes = await schedule(
      [{ actions: [tag('alias', ['register:elsewhere'])] }, { actions: [tag('record-1'), tag('record-2', ['record-1'])] }],
      async (u) => {
        ran.push(...u.actions.map((a) => a.id));
        return u.actions.map(() => ({ state: 'done' as const }));
      },
      { concurrency: 2, now },
    );
    expect(outcomes.map((o) => `${o.actionId}:${o.state}`)).toEqual(['alias:done', 'record-1:done', 'record-2:done']);
    expect(ran).toEqual(['alias', 'record-1', 'record-2']);
  });

  it("says why a dependant is blocked: a dependency still pending has not finished; its message follows when it has one", async () => {
    const results: Record<string, ExecResult> = { migrate: { state: 'pending', message: 'migration task 0f1e is RUNNING; the next pass waits for it' }, register: { state: 'failed' } };
    const outcomes = await schedule(
      units(tag('migrate'), tag('register'), tag('rollout', ['migrate']), tag('create', ['register'])),
      async (u) => [results[u.actions[0].id]],
      { concurrency: 2, now },
    );
    expect(outcomes.map((o) => [o.actionId, o.state, o.message])).toEqual([
      ['migrate', 'pending', 'migration task 0f1e is RUNNING; the next pass waits for it'],
      ['register', 'failed', undefined],
      ['rollout', 'blocked', 'waits for "do migrate", which has not finished: migration task 0f1e is RUNNING; the next pass waits for it'],
      ['create', 'blocked', 'waits for "do register", which failed'],
    ]);
  });

  it('keeps the reason an executor gives (DeploymentFailed), and fails an action its executor gave no result for', async () => {
    const pair: Unit = { actions: [tag('deploy'), tag('record')] };
    const outcomes = await schedule([pair], async () => [{ state: 'failed', reason: 'DeploymentFailed', message: 'deployment d-1 failed' }], { concurrency: 1, now });
    expect(outcomes).toEqual([
      { actionId: 'deploy', resource: 'Service/deploy', kind: 'TagResource', summary: 'do deploy', state: 'failed', reason: 'DeploymentFailed', message: 'deployment d-1 failed', awsName: undefined, startedAt: 0, finishedAt: 0 },
      { actionId: 'record', resource: 'Service/record', kind: 'TagResource', summary: 'do record', state: 'failed', message: 'no result', awsName: undefined, startedAt: 0, finishedAt: 0 },
    ]);
  });

  it('runs waiting units in a pool of their own, so they never hold up quick changes', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const outcomes = schedule(
      units(tag('migrate-1'), tag('migrate-2'), tag('scale')),
      async (u) => {
        started.push(u.actions[0].id);
        if (u.actions[0].id.startsWith('migrate')) await gate;
        return [{ state: 'done' }];
      },
      { concurrency: 1, waiting: { isWaiting: (u) => u.actions[0].id.startsWith('migrate'), concurrency: 2 }, now },
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['migrate-1', 'migrate-2', 'scale']);
    release();
    expect((await outcomes).map((o) => o.state)).toEqual(['done', 'done', 'done']);
  });

  it('never runs more waiting units at once than their pool holds; the next starts when one ends', async () => {
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    const outcomes = schedule(
      units(tag('migrate-1'), tag('migrate-2'), tag('migrate-3'), tag('scale')),
      async (u) => {
        const id = u.actions[0].id;
        started.push(id);
        if (id.startsWith('migrate')) await new Promise<void>((r) => gates.set(id, r));
        return [{ state: 'done' }];
      },
      { concurrency: 1, waiting: { isWaiting: (u) => u.actions[0].id.startsWith('migrate'), concurrency: 2 }, now },
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['migrate-1', 'migrate-2', 'scale']);
    gates.get('migrate-1')!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['migrate-1', 'migrate-2', 'scale', 'migrate-3']);
    gates.get('migrate-2')!();
    gates.get('migrate-3')!();
    expect((await outcomes).map((o) => o.state)).toEqual(['done', 'done', 'done', 'done']);
  });
});
