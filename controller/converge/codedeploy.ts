/**
 * Executes blue/green rollouts: creates the CodeDeploy deployment, remembers it on the service
 * (`steady:codedeploy=<deployment id>@<revision arn>`, AWS being the only memory steady needs),
 * and follows it until it finishes or the pass has to end; the next pass follows it further.
 */
import type { Clock } from '../clock.js';
import type { Stop } from '../interrupt.js';
import type { CodeDeployDeployment } from '../model/aws.js';
import { TAG_CODEDEPLOY, type AwaitCodeDeployDeploymentAction, type CreateCodeDeployDeploymentAction, type Plan, type TaskDefinitionRef } from '../model/plan.js';
import type { Adapters } from '../observe/observe.js';
import { appSpec, codeDeployDescription, deploymentFailedMessage, revisionLabel } from '../plan/bluegreen.js';
import type { WaitProgress } from './context.js';
import type { ExecResult } from './schedule.js';

/**
 * Longest a pass follows one deployment (the pass's own deadline may end it sooner). A canary
 * of 5 minutes plus the usual wait before the original task set is terminated fits.
 */
export const CODEDEPLOY_FOLLOW_MS = 15 * 60_000;

/** What following a deployment needs from converge's execution context. */
export interface CodeDeployExec {
  plan: Plan;
  adapters: Adapters;
  clock: Clock;
  pollMs: number;
  /** Epoch ms after which the pass stops waiting. */
  deadline: number;
  /** Ends the wait early (a lost lease, Ctrl-C). */
  stop: Stop;
  outputs: { resolve(ref: TaskDefinitionRef): string };
  progress?: (p: WaitProgress) => void;
}

/**
 * Creates the deployment, records it on the service, then follows it.
 *
 * @example
 * const result = await createCodeDeployDeployment(action, ctx); // { state: 'done', message: 'deployment d-... of messaging-api:2 succeeded' }
 */
export async function createCodeDeployDeployment(a: CreateCodeDeployDeploymentAction, ctx: CodeDeployExec): Promise<ExecResult> {
  const arn = ctx.outputs.resolve(a.taskDefinition);
  const revision = revisionLabel(arn);
  const id = await ctx.adapters.codedeploy.createDeployment({
    application: a.application,
    deploymentGroup: a.deploymentGroup,
    deploymentConfig: a.deploymentConfig,
    appSpec: appSpec({ taskDefinitionArn: arn, containerName: a.containerName, containerPort: a.containerPort, network: a.network, platformVersion: a.platformVersion }),
    description: codeDeployDescription(ctx.plan.environment, a.resource, revision),
  });
  // Without this tag a failed deployment would be repeated; its description still marks it as steady's.
  await ctx.adapters.ecs.tagResource(a.serviceArn, { [TAG_CODEDEPLOY]: `${id}@${arn}` });
  return follow(id, revision, a, ctx);
}

/** Follows a deployment an earlier pass created (recording it on the service first if that was lost). */
export async function awaitCodeDeployDeployment(a: AwaitCodeDeployDeploymentAction, ctx: CodeDeployExec): Promise<ExecResult> {
  if (a.recordTag) await ctx.adapters.ecs.tagResource(a.serviceArn, { [TAG_CODEDEPLOY]: a.recordTag });
  return follow(a.deploymentId, a.revision, a, ctx);
}

async function follow(id: string, revision: string, a: { resource: string; production: string }, ctx: CodeDeployExec): Promise<ExecResult> {
  const since = ctx.clock.now();
  const until = Math.min(since + CODEDEPLOY_FOLLOW_MS, ctx.deadline);
  for (;;) {
    const d = await ctx.adapters.codedeploy.deployment(id);
    if (!d) return { state: 'failed', reason: 'DeploymentNotFound', message: `CodeDeploy no longer knows deployment ${id} of ${revision}` };
    if (d.status === 'Succeeded') return { state: 'done', message: `CodeDeploy deployment ${id} of ${revision} succeeded; production runs ${revision}` };
    if (d.status === 'Failed' || d.status === 'Stopped') return failed(d, revision, a, ctx);
    if (ctx.clock.now() + ctx.pollMs > until || ctx.stop.check()) {
      return { state: 'pending', message: `CodeDeploy deployment ${id} of ${revision} is ${d.status}; the next pass follows it` };
    }
    ctx.progress?.({ resource: a.resource, waitingFor: `CodeDeploy deployment ${id} of ${revision}`, status: d.status, since, now: ctx.clock.now() });
    await ctx.stop.sleep(ctx.pollMs);
  }
}

function failed(d: CodeDeployDeployment, revision: string, a: { resource: string; production: string }, ctx: CodeDeployExec): ExecResult {
  return { state: 'failed', reason: 'DeploymentFailed', message: deploymentFailedMessage(d, revision, { key: a.resource, env: ctx.plan.environment, production: a.production }) };
}
