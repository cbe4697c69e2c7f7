/**
 * Executes what the Maintenance planner asks for. A distribution is switched the way CloudFront
 * allows: the configuration is read, maintenance's fields are applied to it (`switchOn` /
 * `switchOff`, everything else carried over as read), and it is sent back with its ETag; someone's
 * edit in between (PreconditionFailed) means the same change on the fresh configuration (the
 * adapter's `updateConfig`). Switching on writes the restore record onto the distribution first, so
 * a pass that dies half way never leaves a site in maintenance without the way back; switching off
 * removes it once the update is in. Then the executor follows the change to `Deployed` and says how
 * long that took. The ALB's maintenance rule is created (tagged as steady's) or deleted.
 */
import { AwsCallError } from '../errors.js';
import { maintenanceTagKeys, restoreTags, switchOff, switchOn, TAG_MAINTENANCE } from '../model/maintenance.js';
import type { CreateMaintenanceRuleAction, DeleteMaintenanceRuleAction, SwitchDistributionAction } from '../model/plan.js';
import type { ExecContext } from './context.js';
import type { ExecResult } from './schedule.js';

/** How long a pass follows a distribution's change to `Deployed` (bounded by the pass's deadline; a stopped pass stops following). */
export const DEPLOY_WAIT_MS = 10 * 60_000;

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** Follows the distribution to `Deployed`: done with the time it took, or pending when the pass cannot wait longer. */
async function awaitDeployed(id: string, startedAt: number, ctx: ExecContext, what: string): Promise<ExecResult> {
  const until = Math.min(ctx.clock.now() + DEPLOY_WAIT_MS, ctx.deadline);
  for (;;) {
    const status = await ctx.adapters.cloudfront.status(id);
    const took = ctx.clock.now() - startedAt;
    if (status === 'Deployed') return { state: 'done', message: `${what}; deployed in ${seconds(took)}` };
    if (ctx.clock.now() + ctx.pollMs > until || ctx.stop.check()) {
      return { state: 'pending', message: `${what}; CloudFront is still deploying it after ${seconds(took)} (it finishes on its own; the next pass checks)` };
    }
    await ctx.stop.sleep(ctx.pollMs);
  }
}

async function switchDistributionOn(a: SwitchDistributionAction, ctx: ExecContext): Promise<ExecResult> {
  const cf = ctx.adapters.cloudfront;
  const startedAt = ctx.clock.now();
  let changes = 0;
  const update = await cf.updateConfig(a.distributionId, async (config) => {
    const on = switchOn(config, a.cloudFront, a.restore);
    changes = on.diff.length;
    // The way back first: on the distribution, then in the state table's copy.
    const tags = { [TAG_MAINTENANCE]: a.marker!, ...restoreTags(on.restore) };
    await cf.tag(a.arn, tags);
    await cf.untag(a.arn, maintenanceTagKeys(a.tags).filter((k) => !(k in tags)));
    ctx.rememberRestore?.(a.resource, a.distributionId, on.restore);
    return changes > 0 ? on.config : undefined;
  });
  const retried = update && update.attempts > 1 ? ` (applied again on a fresh configuration: someone changed the distribution meanwhile, ${update.attempts} tries)` : '';
  const what = `switched CloudFront ${a.distributionId} to maintenance: ${changes} ${changes === 1 ? 'field' : 'fields'} changed, every other field as it was${retried}`;
  if (!update) return { state: 'done', message: `CloudFront ${a.distributionId} already answered as maintenance says; steady's marker and restore record are written` };
  return awaitDeployed(a.distributionId, startedAt, ctx, what);
}

async function switchDistributionOff(a: SwitchDistributionAction, ctx: ExecContext): Promise<ExecResult> {
  const cf = ctx.adapters.cloudfront;
  const startedAt = ctx.clock.now();
  let kept: string[] = [];
  let changes = 0;
  const update = await cf.updateConfig(a.distributionId, (config) => {
    const off = switchOff(config, a.restore!);
    kept = off.kept;
    changes = off.diff.length;
    return changes > 0 ? off.config : undefined;
  });
  // The restore record goes only once what it records is back.
  await cf.untag(a.arn, maintenanceTagKeys(a.tags));
  ctx.rememberRestore?.(a.resource, a.distributionId, null);
  const also = kept.length > 0 ? `; kept: ${kept.join('; ')}` : '';
  const retried = update && update.attempts > 1 ? ` (applied again on a fresh configuration: someone changed the distribution meanwhile, ${update.attempts} tries)` : '';
  const what = `put CloudFront ${a.distributionId} back as it was before maintenance: ${changes} ${changes === 1 ? 'field' : 'fields'} restored${retried}${also}`;
  if (!update) return { state: 'done', message: `${what}; nothing to deploy` };
  return awaitDeployed(a.distributionId, startedAt, ctx, what);
}

export function switchDistribution(a: SwitchDistributionAction, ctx: ExecContext): Promise<ExecResult> {
  return a.mode === 'on' ? switchDistributionOn(a, ctx) : switchDistributionOff(a, ctx);
}

export async function createMaintenanceRule(a: CreateMaintenanceRuleAction, ctx: ExecContext): Promise<ExecResult> {
  try {
    const rule = await ctx.adapters.elbv2.createFixedResponseRule(a.listenerArn, a.rule, a.tags);
    return { state: 'done', message: `created maintenance rule ${rule.priority} on ${a.listener}: ${a.rule.statusCode} ${a.rule.contentType}` };
  } catch (err) {
    if (err instanceof AwsCallError && err.awsName === 'PriorityInUseException') {
      return { state: 'failed', awsName: err.awsName, message: `priority ${a.rule.priority} of listener ${a.listener} was taken by another rule meanwhile; set spec.loadBalancer.priority to a free one (${err.message})` };
    }
    throw err;
  }
}

export async function deleteMaintenanceRule(a: DeleteMaintenanceRuleAction, ctx: ExecContext): Promise<ExecResult> {
  await ctx.adapters.elbv2.deleteRule(a.ruleArn);
  return { state: 'done', message: `deleted maintenance rule ${a.priority} of ${a.listener}: it forwards as before` };
}
