/**
 * Route 53 changes are reported done only once Route 53 says INSYNC: a change still PENDING when the
 * wait runs out is pending, and the next pass checks it (simulated account, simulated clock).
 */
import { stopFor } from '../interrupt.js';
import { ListHostedZonesByNameCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import type { ChangeRecordsAction } from '../model/plan.js';
import { createAdapters } from '../pass.js';
import { MAX_RECORDS_PER_CHANGE_BATCH, MAX_VALUE_CHARS_PER_CHANGE_BATCH } from '../aws/route53.js';
import { CHANGE_PROPAGATION_MS } from '../sim/route53.js';
import { world } from '../testing/world.js';
import { Outputs, type ExecContext } from './context.js';
import { changeRecords, unitsOf } from './records.js';

async function setup(insyncWaitMs: number) {
  const w = await world('shop-prod', { seed: 7 });
  const clients = w.account.clients();
  const zones = await clients.route53.send(new ListHostedZonesByNameCommand({ DNSName: 'example.com' }));
  const zoneId = zones.HostedZones![0].Id!.replace('/hostedzone/', '');
  const ctx: ExecContext = {
    plan: { environment: 'shop-prod', policy: { mode: 'enforce', dryRun: false, changeBudget: 20, now: w.account.clock.now() }, actions: [], resources: [], budget: { limit: 20, used: 0, exceeded: false }, holdAll: false },
    adapters: createAdapters(clients),
    outputs: new Outputs(),
    clock: w.account.clock,
    pollMs: 5_000,
    insyncWaitMs,
    deadline: w.account.clock.now() + 600_000,
    passId: 'pass-r53',
    stop: stopFor({ clock: w.account.clock, deadline: w.account.clock.now() + 600_000 }),
  };
  const action: ChangeRecordsAction = {
    kind: 'ChangeRecords',
    id: 'records:AliasRecord/www',
    resource: 'AliasRecord/www',
    summary: 'create www.example.com TXT',
    diff: [],
    dependsOn: [],
    zoneId,
    zoneName: 'example.com',
    changes: [{ action: 'UPSERT', record: { name: 'www.example.com', type: 'TXT', ttl: 300, values: ['"hello"'] } }],
  };
  const from = w.account.calls.length;
  const getChanges = () => w.account.calls.slice(from).filter((c) => c.operation === 'GetChange');
  return { w, ctx, action, getChanges };
}

describe('Route 53 changes', () => {
  it('a change still PENDING when the wait runs out is reported pending, never done', async () => {
    const { w, ctx, action, getChanges } = await setup(CHANGE_PROPAGATION_MS / 3);
    const start = w.account.clock.now();

    const [result] = await changeRecords([action], ctx);

    expect(result).toMatchObject({ state: 'pending', message: expect.stringMatching(/^change C[A-Z0-9]+ is still PENDING; Route 53 applies it within about a minute, and the next pass checks it$/) });
    expect(getChanges().length).toBeGreaterThanOrEqual(2);
    expect(w.account.clock.now() - start).toBeLessThanOrEqual(CHANGE_PROPAGATION_MS / 3);
  });

  it('a change that reaches INSYNC exactly when the wait runs out is done: the last poll that fits is made', async () => {
    const { w, ctx, action, getChanges } = await setup(CHANGE_PROPAGATION_MS);
    const start = w.account.clock.now();

    const [result] = await changeRecords([action], ctx);

    expect(result).toMatchObject({ state: 'done', message: expect.stringMatching(/^change C[A-Z0-9]+ is INSYNC$/) });
    expect(w.account.clock.now() - start).toBe(CHANGE_PROPAGATION_MS);
    expect(getChanges()).toHaveLength(CHANGE_PROPAGATION_MS / ctx.pollMs + 1);
  });

  it('the change comment names the environment and the pass, cut to the 256 characters Route 53 allows', async () => {
    const { w, ctx, action } = await setup(2 * CHANGE_PROPAGATION_MS);
    const passId = `shop-prod/2026-12-03T22:00:00.000Z/${'f'.repeat(300)}`;
    const from = w.account.calls.length;

    await changeRecords([action], { ...ctx, passId });

    const [change] = w.account.calls.slice(from).filter((c) => c.operation === 'ChangeResourceRecordSets');
    expect(change.input.ChangeBatch.Comment).toBe(`steady shop-prod ${passId}`.slice(0, 256));
  });

  it('a change is done once Route 53 reports it INSYNC, after polling through PENDING', async () => {
    const { w, ctx, action, getChanges } = await setup(2 * CHANGE_PROPAGATION_MS);
    const start = w.account.clock.now();

    const [result] = await changeRecords([action], ctx);

    expect(result).toMatchObject({ state: 'done', message: expect.stringMatching(/^change C[A-Z0-9]+ is INSYNC$/) });
    expect(w.account.clock.now() - start).toBeGreaterThanOrEqual(CHANGE_PROPAGATION_MS);
    expect(getChanges().length).toBe(Math.ceil(CHANGE_PROPAGATION_MS / ctx.pollMs) + 1);
  });
});

describe('a zone batch Route 53 refuses', () => {
  it('is tried record by record: one bad record fails alone, the others are made', async () => {
    const { w, ctx, action } = await setup(2 * CHANGE_PROPAGATION_MS);
    const bad: ChangeRecordsAction = {
      ...action,
      id: 'records:AliasRecord/gone',
      resource: 'AliasRecord/gone',
      changes: [{ action: 'DELETE', record: { name: 'gone.example.com', type: 'TXT', ttl: 300, values: ['"nothing"'] } }],
    };
    const from = w.account.calls.length;

    const [good, failed] = await changeRecords([action, bad], ctx);

    expect(good).toMatchObject({ state: 'done', message: expect.stringMatching(/^change C[A-Z0-9]+ is INSYNC$/) });
    expect(failed).toMatchObject({ state: 'failed', awsName: 'InvalidChangeBatch', message: expect.stringContaining('gone.example.com') });
    const changes = w.account.calls.slice(from).filter((c) => c.operation === 'ChangeResourceRecordSets');
    expect(changes.map((c) => c.input.ChangeBatch.Changes.length)).toEqual([2, 1, 1]);
    // Each change says which environment and pass made it.
    expect(new Set(changes.map((c) => c.input.ChangeBatch.Comment))).toEqual(new Set(['steady shop-prod pass-r53']));
  });

  it('a batch refused for any other reason (access denied) fails every action with one call, not record by record', async () => {
    const { w, ctx, action } = await setup(2 * CHANGE_PROPAGATION_MS);
    w.account.faults.fail({ service: 'route53', operation: 'ChangeResourceRecordSets', error: 'accessDenied' });
    const other: ChangeRecordsAction = { ...action, id: 'records:AliasRecord/www2', resource: 'AliasRecord/www2', changes: [{ action: 'UPSERT', record: { name: 'www2.example.com', type: 'TXT', ttl: 300, values: ['"x"'] } }] };
    const from = w.account.calls.length;

    const results = await changeRecords([action, other], ctx);

    expect(results.map((r) => [r.state, r.awsName])).toEqual([
      ['failed', 'AccessDenied'],
      ['failed', 'AccessDenied'],
    ]);
    expect(w.account.calls.slice(from).filter((c) => c.operation === 'ChangeResourceRecordSets')).toHaveLength(1);
  });

  it('a refused change of one action fails it without trying again', async () => {
    const { w, ctx, action } = await setup(2 * CHANGE_PROPAGATION_MS);
    const from = w.account.calls.length;

    const [r] = await changeRecords([{ ...action, changes: [{ action: 'DELETE', record: { name: 'gone.example.com', type: 'TXT', ttl: 300, values: ['"nothing"'] } }] }], ctx);

    expect(r).toMatchObject({ state: 'failed', awsName: 'InvalidChangeBatch' });
    expect(w.account.calls.slice(from).filter((c) => c.operation === 'ChangeResourceRecordSets')).toHaveLength(1);
  });

  it('while waiting for INSYNC, each poll is told to progress with the resources of the batch', async () => {
    const { ctx, action } = await setup(2 * CHANGE_PROPAGATION_MS);
    const seen: string[] = [];

    await changeRecords([action, { ...action, id: 'records:AliasRecord/www2', resource: 'AliasRecord/www2', changes: [{ action: 'UPSERT', record: { name: 'www2.example.com', type: 'TXT', ttl: 300, values: ['"x"'] } }] }], { ...ctx, progress: (p) => seen.push(`${p.resource} | ${p.waitingFor} | ${p.status}`) });

    expect(seen.length).toBe(Math.ceil(CHANGE_PROPAGATION_MS / ctx.pollMs));
    expect(seen[0]).toMatch(/^AliasRecord\/www, AliasRecord\/www2 \| Route 53 change C[A-Z0-9]+ to reach INSYNC \| PENDING$/);
  });
});

describe('the batches of one zone', () => {
  const record = (id: string, values: string[], dependsOn: string[] = []): ChangeRecordsAction => ({
    kind: 'ChangeRecords',
    id: `records:AliasRecord/${id}`,
    resource: `AliasRecord/${id}`,
    summary: `create ${id}.example.com TXT`,
    diff: [],
    dependsOn,
    zoneId: 'Z0123456789ABCDEFGHIJ',
    zoneName: 'example.com',
    changes: [{ action: 'CREATE', record: { name: `${id}.example.com`, type: 'TXT', ttl: 300, values } }],
  });
  const sizes = (actions: ChangeRecordsAction[]) => unitsOf(actions).map((u) => u.actions.length);

  it('holds exactly as many record values as Route 53 takes in one request, and no more', () => {
    const tenth = MAX_RECORDS_PER_CHANGE_BATCH / 10;
    const full = Array.from({ length: 10 }, (_, i) => record(`r${i}`, Array.from({ length: tenth }, (_, j) => `"${j}"`)));

    expect(sizes(full)).toEqual([10]);
    expect(sizes([...full, record('one-more', ['"x"'])])).toEqual([10, 1]);
  });

  it('holds exactly as many value characters as Route 53 takes in one request, and no more', () => {
    const quarter = (i: number) => record(`c${i}`, Array.from({ length: 32 }, () => 'v'.repeat(MAX_VALUE_CHARS_PER_CHANGE_BATCH / 4 / 32)));
    const full = [0, 1, 2, 3].map(quarter);

    expect(sizes(full)).toEqual([4]);
    expect(sizes([...full, record('one-more', ['x'])])).toEqual([4, 1]);
  });

  it('a record change that depends on another action is a unit of its own, after what it waits for', () => {
    const units = unitsOf([record('a', ['"a"']), record('b', ['"b"'], ['register:Service/api']), record('c', ['"c"'])]);

    expect(units.map((u) => u.actions.map((a) => a.id))).toEqual([['records:AliasRecord/a', 'records:AliasRecord/c'], ['records:AliasRecord/b']]);
  });
});
