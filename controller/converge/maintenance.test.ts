/**
 * Maintenance executed against the simulated account: CloudFront switched to the maintenance page
 * with the way back written first, followed to Deployed (or left to the next pass), put back
 * exactly as it was, someone's edit in between applied again; the ALB's maintenance rule created,
 * refused on a taken priority, and deleted.
 */
import { DescribeRulesCommand, DescribeTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { stopFor } from '../interrupt.js';
import { restoreFromTags, TAG_MAINTENANCE, type DistributionRestore } from '../model/maintenance.js';
import type { CreateMaintenanceRuleAction, DeleteMaintenanceRuleAction, SwitchDistributionAction } from '../model/plan.js';
import { world, type World } from '../testing/world.js';
import { createMaintenanceRule, deleteMaintenanceRule, DEPLOY_WAIT_MS, switchDistribution } from './maintenance.js';
import { plannedPass } from './testkit.js';

const DISTRIBUTION = 'E2QWRUHAPOMQZL';

/** The shop with its Maintenance set to `mode`, planned from a fresh observe; restore records told to the pass are kept. */
async function planned(w: World, mode: 'on' | 'off', deadlineMs = 3_600_000) {
  w.desired.maintenance![0].spec.maintenance = mode;
  const remembered: [string, string, DistributionRestore | null][] = [];
  const { p, ctx } = await plannedPass(w, 'pass-m', deadlineMs, { rememberRestore: (...args) => remembered.push(args) });
  const switchAction = p.actions.find((a) => a.kind === 'SwitchDistribution') as SwitchDistributionAction;
  const rule = p.actions.find((a) => a.kind === 'CreateMaintenanceRule') as CreateMaintenanceRuleAction;
  const deleteRule = p.actions.find((a) => a.kind === 'DeleteMaintenanceRule') as DeleteMaintenanceRuleAction;
  return { ctx, switchAction, rule, deleteRule, remembered };
}

async function rules(w: World) {
  const out = await w.account.clients().elbv2.send(new DescribeRulesCommand({ ListenerArn: w.account.elbv2.listenerArnOf('shop-api-alb', 443)! }));
  return (out.Rules ?? []).filter((r) => !r.IsDefault);
}

const config = (w: World) => structuredClone(w.account.cloudfront.config(DISTRIBUTION)) as Record<string, any>;

describe('a CloudFront distribution switched to maintenance and back', () => {
  it('on: the restore record is written to the distribution and told to the pass, the fields switched, followed to Deployed', async () => {
    const w = await world('shop-prod');
    const { ctx, switchAction, remembered } = await planned(w, 'on');
    const before = config(w);
    const start = w.account.clock.now();

    const r = await switchDistribution(switchAction, ctx);

    expect(r.state).toBe('done');
    expect(r.message).toMatch(/^switched CloudFront E2QWRUHAPOMQZL to maintenance: 8 fields changed, every other field as it was; deployed in (\d+s|\d+m \d+s)$/);
    const took = w.account.clock.now() - start;
    expect(r.message!.endsWith(took < 60_000 ? `deployed in ${Math.round(took / 1000)}s` : `deployed in ${Math.floor(took / 60_000)}m ${Math.round(took / 1000) % 60}s`)).toBe(true);
    expect(took).toBeGreaterThan(0);
    const tags = w.account.cloudfront.tags(DISTRIBUTION);
    expect(tags[TAG_MAINTENANCE]).toBe(switchAction.marker);
    expect(tags.team).toBe('shop');
    const record = restoreFromTags(tags)!;
    expect(record).toBeDefined();
    expect(remembered).toEqual([['Maintenance/shop', DISTRIBUTION, record]]);
    const after = config(w);
    expect(after.DefaultCacheBehavior.TargetOriginId).toBe('shop-maintenance');
    expect(after.Comment).toEqual(before.Comment);
    expect(after.Origins).toEqual(before.Origins);
  });

  it('says how long the deployment took in seconds under a minute, in minutes and seconds from a minute', async () => {
    for (const [deployMs, said] of [[55_000, '55s'], [60_000, '1m 0s'], [125_000, '2m 5s']] as const) {
      const w = await world('shop-prod');
      w.account.cloudfront.timing.deployMs = deployMs;
      const on = await planned(w, 'on');
      expect((await switchDistribution(on.switchAction, on.ctx)).message).toMatch(new RegExp(`; deployed in ${said}$`));
    }
  });

  it('off: the fields are put back exactly, then the restore record removed and forgotten', async () => {
    const w = await world('shop-prod');
    const original = config(w);
    const on = await planned(w, 'on');
    await switchDistribution(on.switchAction, on.ctx);
    w.advance(60_000);
    const off = await planned(w, 'off');

    const r = await switchDistribution(off.switchAction, off.ctx);

    expect(r).toMatchObject({ state: 'done', message: expect.stringMatching(/^put CloudFront E2QWRUHAPOMQZL back as it was before maintenance: 8 fields restored; deployed in \d+/) });
    expect(config(w)).toEqual(original);
    expect(Object.keys(w.account.cloudfront.tags(DISTRIBUTION)).filter((k) => k.startsWith('steady:maintenance'))).toEqual([]);
    expect(w.account.cloudfront.tags(DISTRIBUTION).team).toBe('shop');
    expect(off.remembered).toEqual([['Maintenance/shop', DISTRIBUTION, null]]);
  });

  it('a switch whose fields are in place already only writes the marker and the record; off with nothing to restore deploys nothing', async () => {
    const w = await world('shop-prod');
    const on = await planned(w, 'on');
    await switchDistribution(on.switchAction, on.ctx);
    w.advance(60_000);
    const calls = w.account.calls.length;
    // As a later pass plans it: the record of the earlier switch is carried, kept as it is.
    const record = restoreFromTags(w.account.cloudfront.tags(DISTRIBUTION))!;

    expect(await switchDistribution({ ...on.switchAction, restore: record }, on.ctx)).toEqual({ state: 'done', message: `CloudFront ${DISTRIBUTION} already answered as maintenance says; steady's marker and restore record are written` });
    expect(w.account.calls.slice(calls).map((c) => c.operation)).not.toContain('UpdateDistribution');
    expect(restoreFromTags(w.account.cloudfront.tags(DISTRIBUTION))).toEqual(record);

    const off = await planned(w, 'off');
    await switchDistribution(off.switchAction, off.ctx);
    w.advance(60_000);
    const again = await switchDistribution(off.switchAction, off.ctx);
    expect(again).toEqual({ state: 'done', message: `put CloudFront ${DISTRIBUTION} back as it was before maintenance: 0 fields restored; nothing to deploy` });
  });

  it('someone changing the distribution between read and update: the switch is applied again on the fresh configuration, and says so', async () => {
    const w = await world('shop-prod');
    const on = await planned(w, 'on');
    w.account.cloudfront.interleave(DISTRIBUTION, (c) => {
      c.Comment = 'edited by hand';
    });

    const r = await switchDistribution(on.switchAction, on.ctx);

    expect(r.message).toContain('8 fields changed, every other field as it was (applied again on a fresh configuration: someone changed the distribution meanwhile, 2 tries); deployed in');
    expect(config(w)).toMatchObject({ Comment: 'edited by hand', DefaultCacheBehavior: { TargetOriginId: 'shop-maintenance' } });
  });

  it('a switch CloudFront has not deployed when the pass must end is pending, saying the next pass checks', async () => {
    const w = await world('shop-prod');
    const on = await planned(w, 'on', 20_000);
    const start = w.account.clock.now();

    const r = await switchDistribution(on.switchAction, on.ctx);

    expect(r).toMatchObject({ state: 'pending', message: expect.stringMatching(/^switched CloudFront E2QWRUHAPOMQZL to maintenance: 8 fields changed, every other field as it was; CloudFront is still deploying it after (15|20)s \(it finishes on its own; the next pass checks\)$/) });
    expect(w.account.clock.now() - start).toBeLessThanOrEqual(20_000);
    expect(config(w).DefaultCacheBehavior.TargetOriginId).toBe('shop-maintenance');
  });

  it('a pass follows a deployment at most DEPLOY_WAIT_MS (ten minutes), however long the pass may still run', async () => {
    const w = await world('shop-prod');
    w.account.cloudfront.timing.deployMs = 20 * 60_000;
    const on = await planned(w, 'on', 24 * 3_600_000);
    const start = w.account.clock.now();

    const r = await switchDistribution(on.switchAction, on.ctx);

    expect(r).toMatchObject({ state: 'pending', message: expect.stringMatching(/; CloudFront is still deploying it after 10m 0s \(it finishes on its own; the next pass checks\)$/) });
    expect(w.account.clock.now() - start).toBe(DEPLOY_WAIT_MS);
  });

  it('a stopped pass does not follow a deployment at all', async () => {
    const w = await world('shop-prod');
    const on = await planned(w, 'on', 24 * 3_600_000);
    const controller = new AbortController();
    controller.abort();
    const stopped = { ...on.ctx, stop: stopFor({ clock: w.account.clock, signal: controller.signal }) };
    const start = w.account.clock.now();

    const r = await switchDistribution(on.switchAction, stopped);

    expect(r).toMatchObject({ state: 'pending', message: expect.stringContaining('CloudFront is still deploying it after 0s') });
    expect(w.account.clock.now()).toBe(start);
  });
});

describe("the ALB's maintenance rule", () => {
  it('is created tagged as steady\'s, and deleted when maintenance ends', async () => {
    const w = await world('shop-prod');
    const on = await planned(w, 'on');

    expect(await createMaintenanceRule(on.rule, on.ctx)).toEqual({ state: 'done', message: 'created maintenance rule 1 on HTTPS:443 of shop-api-alb: 503 application/json' });
    const [rule] = await rules(w);
    expect(rule).toMatchObject({ Priority: '1', Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'application/json' } }] });
    const tags = await w.account.clients().elbv2.send(new DescribeTagsCommand({ ResourceArns: [rule.RuleArn!] }));
    expect(tags.TagDescriptions![0].Tags).toContainEqual({ Key: 'steady:resource', Value: 'Maintenance/shop' });

    const off = await planned(w, 'off');
    expect(await deleteMaintenanceRule(off.deleteRule, off.ctx)).toEqual({ state: 'done', message: 'deleted maintenance rule 1 of HTTPS:443 of shop-api-alb: it forwards as before' });
    expect(await rules(w)).toEqual([]);
  });

  it('a priority another rule took meanwhile fails the rule with what to do, and creates nothing', async () => {
    const w = await world('shop-prod');
    const on = await planned(w, 'on');
    await createMaintenanceRule(on.rule, on.ctx);

    const r = await createMaintenanceRule(on.rule, on.ctx);

    expect(r).toMatchObject({ state: 'failed', awsName: 'PriorityInUseException', message: expect.stringMatching(/^priority 1 of listener HTTPS:443 of shop-api-alb was taken by another rule meanwhile; set spec\.loadBalancer\.priority to a free one \(.*PriorityInUse/) });
    expect(await rules(w)).toHaveLength(1);
  });

  it('any other refusal is an error, not a failure said as a taken priority', async () => {
    const w = await world('shop-prod');
    const on = await planned(w, 'on');
    await expect(createMaintenanceRule({ ...on.rule, listenerArn: `${on.rule.listenerArn}0` }, on.ctx)).rejects.toThrow(/ListenerNotFound/);
  });
});
