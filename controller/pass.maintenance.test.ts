/**
 * Maintenance end to end on the simulated account: switched on and back by spec, by a command's
 * window that ends by itself, and by the automatic mode with its hold times and cap; a hand edit of
 * another distribution field survives; a lost state table does not strand the site; observe mode
 * changes nothing; a switch goes through the lease like every change (lost before it: not made,
 * the pass interrupted). The state table's memory is carried from pass to pass as reconcile carries it.
 */
import { DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from 'vitest';
import { PassInterruptedError } from './errors.js';
import { interrupt } from './interrupt.js';
import type { MaintenanceMemory } from './model/maintenance.js';
import { buildReport } from './report/index.js';
import { decideNotifications } from './report/noise.js';
import { viewNotification } from './report/view.js';
import type { MaintenanceAutomaticSpec } from './spec/schema.js';
import { world, type World } from './testing/world.js';

const DISTRIBUTION = 'E2QWRUHAPOMQZL';
const MINUTE = 60_000;

let w: World;
/** The state table's memory of the Maintenances, as reconcile keeps it between passes. */
let memory: Record<string, MaintenanceMemory> | undefined;
let original: unknown;

/** One pass with the memory, the memory updated as the state table would be. */
async function pass(options: { wiring?: boolean; lease?: { signal: AbortSignal; beforeChange: () => Promise<void> } } = {}) {
  const run = await w.pass({ ...(memory ? { maintenance: memory } : {}), ...(options.wiring === false ? {} : { wiring: { probes: false } }), ...options.lease });
  // Only a pass stopped while observing has no memory to keep; these passes are never stopped.
  if (!run.maintenance) throw new Error(`the pass kept no maintenance memory: ${JSON.stringify(run.result.interrupted)}`);
  const maintenance = run.maintenance;
  memory = Object.fromEntries(maintenance.remember.map((m) => [m.name, m]));
  const status = run.result.resources.find((r) => r.resource === 'Maintenance/shop')!;
  const actions = run.result.outcomes.filter((o) => o.resource === 'Maintenance/shop');
  return { ...run, maintenance, status, actions };
}

const spec = () => w.desired.maintenance![0].spec;
const config = () => structuredClone(w.account.cloudfront.config(DISTRIBUTION)) as Record<string, any>;

/** The rules of the api ALB's HTTPS listener, as the ELBv2 API answers. */
async function rules() {
  const ListenerArn = w.account.elbv2.listenerArnOf('shop-api-alb', 443)!;
  const out = await w.account.clients().elbv2.send(new DescribeRulesCommand({ ListenerArn }));
  return (out.Rules ?? []).filter((r) => !r.IsDefault);
}

beforeEach(async () => {
  w = await world('shop-prod');
  memory = {};
  // Converge the environment first: the service runs, the aliases point where they should.
  for (let i = 0; i < 3; i++) {
    await pass();
    w.advance(15 * MINUTE);
  }
  original = config();
});

describe('maintenance by spec', () => {
  it('switches CloudFront and the ALB on, changes nothing on the next pass, and puts back exactly what was there', async () => {
    const tagsBefore = w.account.cloudfront.tags(DISTRIBUTION);
    spec().maintenance = 'on';
    const on = await pass();
    expect(on.actions.map((a) => `${a.state} ${a.summary}`)).toEqual(['done switch CloudFront E2QWRUHAPOMQZL to maintenance', 'done create maintenance rule 1 on HTTPS:443 of shop-api-alb']);
    expect(on.status).toMatchObject({ reason: 'OnBySpec', maintenance: { state: 'on', source: 'spec' } });
    const c = config();
    expect(c.DefaultCacheBehavior.TargetOriginId).toBe('shop-maintenance');
    expect(c.CacheBehaviors.Items.map((b: { TargetOriginId: string }) => b.TargetOriginId)).toEqual(['shop-maintenance']);
    expect(c.CustomErrorResponses.Items.find((e: { ErrorCode: number }) => e.ErrorCode === 503)).toEqual({ ErrorCode: 503, ResponsePagePath: '/maintenance.html', ResponseCode: '503', ErrorCachingMinTTL: 10 });
    expect(w.account.cloudfront.tags(DISTRIBUTION)['steady:maintenance']).toMatch(/^Maintenance\/shop env=shop-prod source=spec since=2026-/);
    const [rule] = await rules();
    expect(rule).toMatchObject({
      Priority: '1',
      Conditions: [expect.objectContaining({ Field: 'host-header', Values: ['api.example.com'] })],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'application/json', MessageBody: expect.stringContaining('"status":"maintenance"') } }],
    });
    expect(on.maintenance.events).toEqual([expect.objectContaining({ name: 'shop', switched: 'on', source: 'spec' })]);

    w.advance(5 * MINUTE);
    const again = await pass();
    expect(again.actions).toEqual([]);
    expect(again.status).toMatchObject({ phase: 'Synced', reason: 'OnBySpec' });
    expect(again.status.message).toMatch(/^in maintenance \(on by spec since /);
    expect(again.maintenance.events).toEqual([]);

    spec().maintenance = 'off';
    const off = await pass();
    expect(off.actions.map((a) => `${a.state} ${a.summary}`)).toEqual(['done switch CloudFront E2QWRUHAPOMQZL back from maintenance', 'done delete maintenance rule 1 of HTTPS:443 of shop-api-alb']);
    expect(config()).toEqual(original);
    expect(w.account.cloudfront.tags(DISTRIBUTION)).toEqual(tagsBefore);
    expect(await rules()).toEqual([]);
    expect(off.status).toMatchObject({ phase: 'Synced', reason: 'Off' });
    expect(off.maintenance.events).toEqual([expect.objectContaining({ switched: 'off' })]);
  });
});

describe('maintenance by command', () => {
  it('is on while the window lasts and switches back by itself when it ends', async () => {
    const at = w.account.clock.now();
    memory = { shop: { name: 'shop', override: { by: 'alice', reason: 'DB upgrade', at, until: at + 120 * MINUTE } } };
    const on = await pass();
    expect(on.status.reason).toBe('OnByCommand');
    expect(on.status.maintenance).toMatchObject({ state: 'on', source: 'command', by: 'alice', reason: 'DB upgrade', until: at + 120 * MINUTE });
    expect(on.status.message).toContain('on by command (alice: DB upgrade) since 2026-');
    expect(config().DefaultCacheBehavior.TargetOriginId).toBe('shop-maintenance');

    w.advance(60 * MINUTE);
    expect((await pass()).actions).toEqual([]);

    w.advance(61 * MINUTE);
    const ended = await pass();
    expect(ended.actions.map((a) => a.state)).toEqual(['done', 'done']);
    expect(ended.status.notes).toContainEqual(expect.stringMatching(/^the maintenance window turned on by command \(alice: DB upgrade\) ended at 2026-/));
    expect(ended.maintenance.events).toEqual([expect.objectContaining({ switched: 'off' })]);
    expect(memory!.shop.override).toBeUndefined();
    expect(config()).toEqual(original);
    expect(await rules()).toEqual([]);
  });
});

describe('automatic maintenance', () => {
  const automatic: MaintenanceAutomaticSpec = { services: ['api'], brokenPasses: 2, readyPasses: 2, minOnMinutes: 10, minOffMinutes: 30, maxPerHour: 1 };

  /** A pass after the targets had time to change state. */
  const later = async (minutes = 2) => {
    w.advance(minutes * MINUTE);
    return pass();
  };

  it('switches on after the chain stays broken, holds, switches off once Ready, and does not flap', async () => {
    spec().automatic = automatic;
    w.account.elbv2.failHealthChecks('shop-api-tg');
    const first = await later();
    expect(first.actions).toEqual([]);
    expect(memory!.shop.automatic).toMatchObject({ active: false, brokenPasses: 1 });

    const on = await later();
    expect(on.actions.map((a) => a.summary)).toEqual(['switch CloudFront E2QWRUHAPOMQZL to maintenance', 'create maintenance rule 1 on HTTPS:443 of shop-api-alb']);
    expect(on.status).toMatchObject({ reason: 'OnAutomatically', maintenance: { state: 'on', source: 'automatic' } });
    expect(on.status.maintenance!.reason).toMatch(/^the chain has been broken for 2 passes \(api: targets /);
    expect(on.maintenance.events).toEqual([expect.objectContaining({ switched: 'on', source: 'automatic' })]);
    // People are told: the switch, and why.
    const told = decideNotifications(buildReport(on.result), [], { now: w.account.clock.now(), channels: ['slack'] }).notifications.map(viewNotification);
    const switched = told.find((n) => n.resource === 'Maintenance/shop')!;
    expect(switched.title).toBe('Maintenance switched on');
    expect(switched.lines).toContainEqual(expect.objectContaining({ type: 'diff', path: 'maintenance', before: 'off', after: expect.stringMatching(/^on automatically since .* \(the chain has been broken for 2 passes/) }));

    // Still broken behind the page: it stays on (the page is not mistaken for a healthy chain).
    expect((await later()).actions).toEqual([]);
    expect(memory!.shop.automatic).toMatchObject({ active: true, readyPasses: 0 });

    // Ready again: two Ready passes, but it went on less than 10 minutes ago.
    w.account.elbv2.passHealthChecks('shop-api-tg');
    w.advance(2 * MINUTE);
    await later();
    const held = await later();
    expect(held.actions).toEqual([]);
    expect(held.status.notes).toContainEqual(expect.stringMatching(/^automatic mode: the chain has been Ready for 2 passes, but maintenance went on \d minutes ago and stays on at least 10 minutes$/));

    const off = await later(5);
    expect(off.actions.map((a) => a.summary)).toEqual(['switch CloudFront E2QWRUHAPOMQZL back from maintenance', 'delete maintenance rule 1 of HTTPS:443 of shop-api-alb']);
    expect(off.status.reason).toBe('Off');
    expect(config()).toEqual(original);

    // Broken again at once: held off for 30 minutes, then capped at one switch on an hour.
    w.account.elbv2.failHealthChecks('shop-api-tg');
    await later();
    const heldOff = await later();
    expect(heldOff.actions).toEqual([]);
    expect(heldOff.status.notes).toContainEqual(expect.stringMatching(/but maintenance went off \d+ minutes ago and stays off at least 30 minutes$/));
    const capped = await later(30);
    expect(capped.actions).toEqual([]);
    expect(capped.status.notes).toContainEqual(expect.stringMatching(/but maintenance was switched on automatically 1 times in the last hour \(at most 1\)$/));
    const again = await later(20);
    expect(again.actions.map((a) => a.state)).toEqual(['done', 'done']);
    expect(again.status.reason).toBe('OnAutomatically');
  });

  it('does not count a rollout steady started', async () => {
    spec().automatic = automatic;
    // A new image: steady rolls it out, and the chain is "changing" while it does.
    const container = w.desired.services[0].spec.taskDefinition.containers[0];
    container.environment = { ...(container.environment ?? {}), FEATURE: 'on' };
    const rolling = await pass();
    expect(rolling.result.resources.find((r) => r.resource === 'Service/api')?.phase).toBe('Progressing');
    expect(memory!.shop.automatic).toMatchObject({ brokenPasses: 0, active: false });
  });
});

describe('a hand edit during maintenance', () => {
  it('of another distribution field, between steady reading and updating the configuration, survives the switch on and off', async () => {
    spec().maintenance = 'on';
    w.account.cloudfront.interleave(DISTRIBUTION, (c) => {
      c.Comment = 'price class changed by hand';
      c.PriceClass = 'PriceClass_200';
    });
    const since = w.account.calls.length;
    const on = await pass();
    expect(on.actions.map((a) => a.state)).toEqual(['done', 'done']);
    // The first update met the edit (PreconditionFailed); the change was made again on the fresh configuration.
    const updates = w.account.calls.slice(since).filter((x) => x.operation === 'UpdateDistribution' || x.operation === 'GetDistributionConfig');
    expect(updates.map((x) => `${x.operation}${x.error ? ` ${x.error}` : ''}`)).toEqual(['GetDistributionConfig', 'UpdateDistribution PreconditionFailed', 'GetDistributionConfig', 'UpdateDistribution']);
    const c = config();
    expect(c).toMatchObject({ Comment: 'price class changed by hand', PriceClass: 'PriceClass_200', DefaultCacheBehavior: { TargetOriginId: 'shop-maintenance' } });

    spec().maintenance = 'off';
    await pass();
    expect(config()).toEqual({ ...(original as object), Comment: 'price class changed by hand', PriceClass: 'PriceClass_200' });
  });

  it('of a switched piece: while on, maintenance takes it back; as maintenance ends, the edit is kept and said', async () => {
    spec().maintenance = 'on';
    await pass();
    // Someone points the static files at a new origin by hand while the site is in maintenance.
    const canary = (c: Record<string, any>) => {
      if (!c.Origins.Items.some((o: { Id: string }) => o.Id === 'shop-web-canary')) {
        c.Origins.Items.push({ ...c.Origins.Items[0], Id: 'shop-web-canary' });
        c.Origins.Quantity += 1;
      }
      c.CacheBehaviors.Items[0].TargetOriginId = 'shop-web-canary';
    };
    w.account.cloudfront.editByHand(DISTRIBUTION, canary);
    w.advance(5 * MINUTE);
    // While maintenance is on, the switched pieces are maintenance's: the page comes back.
    const during = await pass();
    expect(during.status.diff).toContainEqual({ path: 'CloudFront E2QWRUHAPOMQZL behaviour /_next/static/* origin', before: 'shop-web-canary', after: 'shop-maintenance' });
    expect(config().CacheBehaviors.Items[0].TargetOriginId).toBe('shop-maintenance');
    // The same edit, and maintenance ends in the next pass: steady puts back the rest and keeps the edit.
    w.account.cloudfront.editByHand(DISTRIBUTION, canary);
    w.advance(5 * MINUTE);
    spec().maintenance = 'off';
    const off = await pass();
    expect(off.status.notes).toContainEqual('behaviour /_next/static/* was changed during maintenance to origin shop-web-canary; left as it is (it had shop-web)');
    const expected = structuredClone(original) as Record<string, any>;
    canary(expected);
    expect(config()).toEqual(expected);
  });
});

describe('a lost state table', () => {
  it('does not strand the site in maintenance: the distribution carries what to put back', async () => {
    const at = w.account.clock.now();
    memory = { shop: { name: 'shop', override: { by: 'alice', reason: 'DB upgrade', at, until: at + 120 * MINUTE } } };
    await pass();
    expect(config().DefaultCacheBehavior.TargetOriginId).toBe('shop-maintenance');
    // The table is gone (a new one, empty): the window is forgotten, the restore record is not.
    memory = undefined;
    w.advance(5 * MINUTE);
    const next = await pass();
    expect(next.actions.map((a) => `${a.state} ${a.summary}`)).toEqual(['done switch CloudFront E2QWRUHAPOMQZL back from maintenance', 'done delete maintenance rule 1 of HTTPS:443 of shop-api-alb']);
    expect(config()).toEqual(original);
    expect(w.account.cloudfront.tags(DISTRIBUTION)['steady:maintenance']).toBeUndefined();
  });

  it('keeps a spec-on site in maintenance, since when the marker says', async () => {
    spec().maintenance = 'on';
    const on = await pass();
    memory = undefined;
    w.advance(5 * MINUTE);
    const next = await pass();
    expect(next.actions).toEqual([]);
    expect(next.status.maintenance).toEqual(on.status.maintenance);
  });
});

describe('observe mode', () => {
  it('reports the switch it would make and changes nothing', async () => {
    w.desired.environment.spec.mode = 'observe';
    spec().maintenance = 'on';
    const since = w.account.calls.length;
    const run = await pass();
    expect(run.status.phase).toBe('Drifted');
    expect(run.status.message).toMatch(/^turning maintenance on \(on by spec since /);
    expect(run.actions.map((a) => a.state)).toEqual(['held', 'held']);
    expect(w.account.calls.slice(since).filter((c) => /^(Update|Create|Delete|Tag|Untag)/.test(c.operation))).toEqual([]);
    expect(config()).toEqual(original);
    expect(await rules()).toEqual([]);
    expect(run.maintenance.events).toEqual([]);
  });
});

/**
 * A lease as `holdLease` gives it, lost at the `lostAt`-th change (counted from 1): its
 * `beforeChange()` then aborts the signal and refuses, as the real one does.
 */
function leaseLostAt(lostAt: number) {
  const controller = new AbortController();
  let changes = 0;
  const message = 'the lease for environment shop-prod was taken over by lambda:someone-else (version 9)';
  return {
    signal: controller.signal,
    async beforeChange() {
      changes += 1;
      if (changes < lostAt) return;
      interrupt(controller, 'leaseLost', message);
      throw new PassInterruptedError('leaseLost', message);
    },
  };
}

const CHANGES = /^(Update|Create|Delete|Tag|Untag)/;

describe('under the lease', () => {
  it('a switch by spec asks the lease first: lost, nothing is switched and the pass says it was interrupted', async () => {
    spec().maintenance = 'on';
    const since = w.account.calls.length;
    const run = await pass({ lease: leaseLostAt(1) });
    expect(run.actions.map((a) => `${a.state} ${a.message}`)).toEqual([
      'pending not started: the lease for environment shop-prod was taken over by lambda:someone-else (version 9)',
      'pending not started: the lease for environment shop-prod was taken over by lambda:someone-else (version 9)',
    ]);
    expect(run.result.interrupted).toEqual({ reason: 'leaseLost', stage: 'converge', message: 'the lease for environment shop-prod was taken over by lambda:someone-else (version 9)' });
    expect(w.account.calls.slice(since).filter((c) => CHANGES.test(c.operation))).toEqual([]);
    expect(config()).toEqual(original);
    expect(await rules()).toEqual([]);
  });

  it('an automatic switch asks the lease too: lost at its first change, the site is not switched', async () => {
    spec().automatic = { services: ['api'], brokenPasses: 2, readyPasses: 2, minOnMinutes: 10, minOffMinutes: 30, maxPerHour: 1 };
    w.account.elbv2.failHealthChecks('shop-api-tg');
    w.advance(2 * MINUTE);
    await pass();
    w.advance(2 * MINUTE);
    const since = w.account.calls.length;
    const due = await pass({ lease: leaseLostAt(1) });
    expect(due.actions.map((a) => `${a.state} ${a.summary}`)).toEqual([
      'pending switch CloudFront E2QWRUHAPOMQZL to maintenance',
      'pending create maintenance rule 1 on HTTPS:443 of shop-api-alb',
    ]);
    expect(due.result.interrupted).toMatchObject({ reason: 'leaseLost', stage: 'converge' });
    expect(w.account.calls.slice(since).filter((c) => CHANGES.test(c.operation))).toEqual([]);
    expect(config()).toEqual(original);
    expect(await rules()).toEqual([]);
  });

  it('a pass told to stop while CloudFront deploys the switch stops following it: made, left to the next pass', async () => {
    spec().maintenance = 'on';
    delete spec().loadBalancer;
    // The heartbeat finds the lease lost just after the switch was allowed to start: it is made, nothing waits on it.
    const controller = new AbortController();
    const lease = {
      signal: controller.signal,
      beforeChange: async () => interrupt(controller, 'leaseLost', 'the lease for environment shop-prod expired'),
    };
    const run = await pass({ lease });
    expect(run.actions.map((a) => `${a.state} ${a.message}`)).toEqual([
      expect.stringMatching(/^pending switched CloudFront E2QWRUHAPOMQZL to maintenance: .*; CloudFront is still deploying it after 0s \(it finishes on its own; the next pass checks\)$/),
    ]);
    expect(config().DefaultCacheBehavior.TargetOriginId).toBe('shop-maintenance');
    expect(run.result.interrupted).toEqual({ reason: 'leaseLost', stage: 'converge', message: 'the lease for environment shop-prod expired' });
  });
});
