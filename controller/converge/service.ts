/**
 * Executes what the service planner asks for: revisions registered (their ARN kept for the
 * actions that depend on them), services created and updated, adoption and bookkeeping tags.
 * steady remembers each rollout it starts on the service (`steady:rollout=<arn>@<time>`), so a
 * rollback by the circuit breaker is recognised by a later pass, and the fingerprint of the
 * revision's content (`steady:content`), so a cold start need not describe it.
 */
import { TAG_CONTENT, TAG_ROLLOUT, type CreateServiceAction, type RegisterTaskDefinitionAction, type TagResourceAction, type UpdateServiceAction } from '../model/plan.js';
import type { ExecContext } from './context.js';
import type { ExecResult } from './schedule.js';

function revision(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** What steady remembers on a service of a rollout it starts: the revision, when, and its content's fingerprint. */
function rolloutTags(arn: string, fingerprint: string | undefined, now: number): Record<string, string> {
  return { [TAG_ROLLOUT]: `${arn}@${now}`, ...(fingerprint ? { [TAG_CONTENT]: fingerprint } : {}) };
}

export async function registerTaskDefinition(a: RegisterTaskDefinitionAction, ctx: ExecContext): Promise<ExecResult> {
  const td = await ctx.adapters.ecs.registerTaskDefinition(a.content, a.tags);
  ctx.outputs.set(a.id, td.arn);
  return { state: 'done', message: `registered ${td.family}:${td.revision}` };
}

export async function createService(a: CreateServiceAction, ctx: ExecContext): Promise<ExecResult> {
  const arn = ctx.outputs.resolve(a.taskDefinition);
  const { deploymentAlarms, deploymentConfiguration, ...settings } = a.settings;
  await ctx.adapters.ecs.createService({
    ...settings,
    cluster: a.cluster,
    name: a.serviceName,
    taskDefinitionArn: arn,
    desiredCount: a.settings.desiredCount,
    network: a.settings.network,
    loadBalancers: a.settings.loadBalancers,
    platformVersion: a.settings.platformVersion,
    deploymentController: a.deploymentController,
    deploymentConfiguration: deploymentConfiguration && { ...deploymentConfiguration, ...(deploymentAlarms ? { alarms: deploymentAlarms } : {}) },
    healthCheckGracePeriodSeconds: a.settings.healthCheckGracePeriodSeconds,
    // Tasks carry the service's tags (steady's own among them) unless the spec says otherwise.
    propagateTags: a.settings.propagateTags ?? 'SERVICE',
    tags: { ...a.tags, ...rolloutTags(arn, a.contentFingerprint, ctx.clock.now()) },
  });
  return { state: 'done', message: `created with ${revision(arn)}` };
}

export async function updateService(a: UpdateServiceAction, ctx: ExecContext): Promise<ExecResult> {
  const { ecs } = ctx.adapters;
  const arn = a.taskDefinition ? ctx.outputs.resolve(a.taskDefinition) : undefined;
  await ecs.updateService(a.cluster, a.serviceName, { taskDefinitionArn: arn, ...a.settings });
  // Remember what steady rolled out, so a rollback by the circuit breaker is recognised later.
  if (arn) await ecs.tagResource(a.serviceArn, rolloutTags(arn, a.contentFingerprint, ctx.clock.now()));
  return { state: 'done', message: arn ? `rolling out ${revision(arn)}` : 'updated' };
}

export async function tagResource(a: TagResourceAction, ctx: ExecContext): Promise<ExecResult> {
  await ctx.adapters.ecs.tagResource(a.arn, a.tags);
  return { state: 'done' };
}
