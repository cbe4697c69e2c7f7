/**
 * Executes what the ScheduledTask planner asks for: steady's schedule group created (tagged as
 * its own), schedules created or updated with the revision the plan chose (registered earlier in
 * the pass, when new). An update sends the schedule back whole with steady's fields changed (the
 * adapter's `withSteadyFields`), so nothing steady does not manage is lost.
 */
import { AwsCallError } from '../errors.js';
import type { CreateScheduleGroupAction, ScheduleAction } from '../model/plan.js';
import type { ExecContext } from './context.js';
import type { ExecResult } from './schedule.js';

export async function createScheduleGroup(a: CreateScheduleGroupAction, ctx: ExecContext): Promise<ExecResult> {
  try {
    await ctx.adapters.scheduler.createGroup(a.group, a.tags);
    return { state: 'done', message: `created schedule group ${a.group}` };
  } catch (err) {
    // Created between observe and now (another pass): whether it is steady's, the next pass checks by its tags.
    if (err instanceof AwsCallError && err.awsName === 'ConflictException') return { state: 'done', message: `schedule group ${a.group} exists already` };
    throw err;
  }
}

export async function putSchedule(a: ScheduleAction, ctx: ExecContext): Promise<ExecResult> {
  const arn = ctx.outputs.resolve(a.taskDefinition);
  const settings = { ...a.settings, target: { ...a.settings.target, ecs: a.settings.target.ecs && { ...a.settings.target.ecs, taskDefinitionArn: arn } } };
  const ref = { group: a.group, name: a.name };
  const revision = arn.slice(arn.lastIndexOf('/') + 1);
  if (a.kind === 'CreateSchedule') {
    await ctx.adapters.scheduler.createSchedule(ref, settings);
    return { state: 'done', message: `created schedule ${a.group}/${a.name} running ${revision}` };
  }
  await ctx.adapters.scheduler.updateSchedule(ref, settings);
  return { state: 'done', message: `updated schedule ${a.group}/${a.name} (runs ${revision})` };
}
