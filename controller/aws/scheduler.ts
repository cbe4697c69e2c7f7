/**
 * The EventBridge Scheduler adapter: the only place steady calls Scheduler, for ScheduledTasks.
 * Schedule groups (GetScheduleGroup, ListTagsForResource, CreateScheduleGroup, TagResource) and
 * schedules (GetSchedule, CreateSchedule, UpdateSchedule). Every failure becomes an `AwsCallError`
 * that says what was being done and keeps the AWS error name.
 *
 * UpdateSchedule replaces the whole schedule: whatever the request leaves out is reset. So an
 * update reads the schedule afresh and sends it back with only steady's fields changed
 * (`withSteadyFields`), carrying over what steady does not manage (start and end dates, a KMS key,
 * the target's input, placement, capacity providers, ...).
 *
 * ## IAM
 * The controller's policy (deploy/policy.ts, `schedulerStatements`) allows these calls on steady's
 * schedule groups (`steady-*`) and the groups given at deploy time, and `iam:PassRole` of the
 * scheduler roles given at deploy time: CreateSchedule and UpdateSchedule pass the target's role.
 */
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateScheduleCommand,
  type GetScheduleOutput,
  type SchedulerClient,
  type UpdateScheduleInput,
} from '@aws-sdk/client-scheduler';
import { AwsCallError, awsCall } from '../errors.js';
import { carryOver } from '../model/carryover.js';
import type { ScheduleGroup, ScheduleSettings, SchedulerSchedule, Tags } from '../model/aws.js';

/** Where a schedule is: its group and name. */
export interface ScheduleRef {
  group: string;
  name: string;
}

/**
 * EventBridge Scheduler, narrowed to what ScheduledTasks need.
 *
 * @example
 * const scheduler = new SchedulerAdapter(createAwsClients({ region }).scheduler);
 * const schedule = await scheduler.schedule({ group: 'steady-shop-prod', name: 'db-migrate-nightly' });
 */
export class SchedulerAdapter {
  constructor(private readonly client: SchedulerClient) {}

  /** A schedule group with its tags, or null when it does not exist. */
  async group(name: string): Promise<ScheduleGroup | null> {
    const out = await this.#orNull(() => this.#call('GetScheduleGroup', `reading schedule group ${name}`, () => this.client.send(new GetScheduleGroupCommand({ Name: name }))));
    if (!out) return null;
    const tags = await this.#call('ListTagsForResource', `listing the tags of schedule group ${name}`, () => this.client.send(new ListTagsForResourceCommand({ ResourceArn: out.Arn })));
    return { arn: out.Arn!, name: out.Name ?? name, state: out.State ?? 'ACTIVE', tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])) };
  }

  async createGroup(name: string, tags: Tags): Promise<string> {
    const out = await this.#call('CreateScheduleGroup', `creating schedule group ${name}`, () =>
      this.client.send(new CreateScheduleGroupCommand({ Name: name, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })),
    );
    return out.ScheduleGroupArn!;
  }

  async tagGroup(arn: string, tags: Tags): Promise<void> {
    await this.#call('TagResource', `tagging schedule group ${arn}`, () => this.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })));
  }

  /** A schedule, or null when it (or its group) does not exist. */
  async schedule(ref: ScheduleRef): Promise<SchedulerSchedule | null> {
    const out = await this.#raw(ref);
    return out && toSchedule(out, ref);
  }

  /** Creates a schedule with steady's settings (Scheduler's defaults for everything else). */
  async createSchedule(ref: ScheduleRef, settings: ScheduleSettings): Promise<string> {
    const input = withSteadyFields({ Name: ref.name, GroupName: ref.group }, settings);
    const out = await this.#call('CreateSchedule', `creating schedule ${ref.group}/${ref.name}`, () => this.client.send(new CreateScheduleCommand(input)));
    return out.ScheduleArn!;
  }

  /**
   * Updates a schedule to steady's settings. It is read first and sent back whole, so what steady
   * does not manage survives the whole-object replacement.
   */
  async updateSchedule(ref: ScheduleRef, settings: ScheduleSettings): Promise<string> {
    const current = await this.#raw(ref);
    if (!current) throw new AwsCallError({ service: 'scheduler', operation: 'UpdateSchedule', doing: `updating schedule ${ref.group}/${ref.name}`, cause: Object.assign(new Error('the schedule no longer exists'), { name: 'ResourceNotFoundException' }) });
    const input = withSteadyFields(current, settings);
    const out = await this.#call('UpdateSchedule', `updating schedule ${ref.group}/${ref.name}`, () => this.client.send(new UpdateScheduleCommand(input)));
    return out.ScheduleArn!;
  }

  async #raw(ref: ScheduleRef): Promise<GetScheduleOutput | null> {
    return this.#orNull(() => this.#call('GetSchedule', `reading schedule ${ref.group}/${ref.name}`, () => this.client.send(new GetScheduleCommand({ Name: ref.name, GroupName: ref.group }))));
  }

  async #orNull<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'ResourceNotFoundException') return null;
      throw err;
    }
  }

  #call<T>(operation: string, doing: string, fn: () => Promise<T>): Promise<T> {
    return awsCall('scheduler', operation, doing, fn);
  }
}

/**
 * An UpdateSchedule (or CreateSchedule) request: the schedule as it is (`current`, a GetSchedule
 * answer or just its name and group) with steady's fields applied. Everything else is carried over,
 * because UpdateSchedule resets what it is not sent. (A shared helper for whole-object
 * replacements may take this function's place.)
 */
export function withSteadyFields(current: GetScheduleOutput, settings: ScheduleSettings): UpdateScheduleInput {
  const { Arn: _arn, CreationDate: _c, LastModificationDate: _m, ...kept } = current;
  const ecs = settings.target.ecs;
  const owned = [
    'ScheduleExpression',
    'ScheduleExpressionTimezone',
    'State',
    'Description',
    'FlexibleTimeWindow',
    'Target.Arn',
    'Target.RoleArn',
    'Target.RetryPolicy',
    'Target.DeadLetterConfig',
    ...(ecs ? ['Target.EcsParameters.TaskDefinitionArn', 'Target.EcsParameters.TaskCount', 'Target.EcsParameters.Tags'] : []),
    // A capacity provider strategy set by hand excludes a launch type; the network only when the spec says one.
    ...(ecs && !current.Target?.EcsParameters?.CapacityProviderStrategy?.length ? ['Target.EcsParameters.LaunchType'] : []),
    ...(ecs?.network ? ['Target.EcsParameters.NetworkConfiguration'] : []),
  ];
  const desired = {
    ScheduleExpression: settings.expression,
    ScheduleExpressionTimezone: settings.timezone,
    State: settings.state,
    Description: settings.description,
    FlexibleTimeWindow: settings.flexibleWindowMinutes ? { Mode: 'FLEXIBLE', MaximumWindowInMinutes: settings.flexibleWindowMinutes } : { Mode: 'OFF' },
    Target: {
      Arn: settings.target.arn,
      RoleArn: settings.target.roleArn,
      RetryPolicy: { MaximumRetryAttempts: settings.target.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: settings.target.retryPolicy.maximumEventAgeSeconds },
      ...(settings.target.deadLetterArn ? { DeadLetterConfig: { Arn: settings.target.deadLetterArn } } : {}),
      ...(ecs
        ? {
            EcsParameters: {
              TaskDefinitionArn: ecs.taskDefinitionArn,
              TaskCount: ecs.taskCount,
              LaunchType: ecs.launchType ?? 'FARGATE',
              Tags: Object.entries(ecs.tags).map(([k, v]) => ({ [k]: v })),
              ...(ecs.network
                ? { NetworkConfiguration: { awsvpcConfiguration: { Subnets: ecs.network.subnets, SecurityGroups: ecs.network.securityGroups, AssignPublicIp: ecs.network.assignPublicIp } } }
                : {}),
            },
          }
        : {}),
    },
  };
  return { ...carryOver<UpdateScheduleInput>(kept, owned, desired), Name: current.Name, GroupName: current.GroupName };
}

// ------------------------------------------------------------------------------------ mapping

function toSchedule(s: GetScheduleOutput, ref: ScheduleRef): SchedulerSchedule {
  const ecs = s.Target?.EcsParameters;
  const vpc = ecs?.NetworkConfiguration?.awsvpcConfiguration;
  const window = s.FlexibleTimeWindow;
  return {
    arn: s.Arn ?? '',
    name: s.Name ?? ref.name,
    group: s.GroupName ?? ref.group,
    expression: s.ScheduleExpression ?? '',
    timezone: s.ScheduleExpressionTimezone ?? 'UTC',
    state: s.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    ...(s.Description !== undefined ? { description: s.Description } : {}),
    ...(window?.Mode === 'FLEXIBLE' ? { flexibleWindowMinutes: window.MaximumWindowInMinutes ?? 0 } : {}),
    target: {
      arn: s.Target?.Arn ?? '',
      roleArn: s.Target?.RoleArn ?? '',
      // Scheduler's defaults, when a schedule shows none.
      retryPolicy: { maximumRetryAttempts: s.Target?.RetryPolicy?.MaximumRetryAttempts ?? 185, maximumEventAgeSeconds: s.Target?.RetryPolicy?.MaximumEventAgeInSeconds ?? 86400 },
      ...(s.Target?.DeadLetterConfig?.Arn ? { deadLetterArn: s.Target.DeadLetterConfig.Arn } : {}),
      ...(ecs
        ? {
            ecs: {
              taskDefinitionArn: ecs.TaskDefinitionArn ?? '',
              taskCount: ecs.TaskCount ?? 1,
              ...(ecs.CapacityProviderStrategy?.length ? { capacityProviderStrategy: true } : { launchType: ecs.LaunchType ?? 'EC2' }),
              ...(vpc
                ? { network: { subnets: [...(vpc.Subnets ?? [])].sort(), securityGroups: [...(vpc.SecurityGroups ?? [])].sort(), assignPublicIp: vpc.AssignPublicIp ?? 'DISABLED' } }
                : {}),
              ...(ecs.PlatformVersion ? { platformVersion: ecs.PlatformVersion } : {}),
              tags: Object.assign({}, ...(ecs.Tags ?? [])) as Tags,
            },
          }
        : {}),
    },
    ...(s.StartDate ? { startDate: s.StartDate.getTime() } : {}),
    ...(s.EndDate ? { endDate: s.EndDate.getTime() } : {}),
    createdAt: s.CreationDate?.getTime() ?? 0,
    modifiedAt: s.LastModificationDate?.getTime() ?? s.CreationDate?.getTime() ?? 0,
  };
}
