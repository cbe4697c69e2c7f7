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
    expect(outcomes.map((o) => o.state)).toEqual(['blocked', 'blocked']);
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
});
