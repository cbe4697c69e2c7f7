import {
  ConflictException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ValidationException,
  type CreateScheduleInput,
  type GetScheduleOutput,
  type ListScheduleGroupsInput,
  type ListSchedulesInput,
  type ScheduleGroupSummary,
  type ScheduleSummary,
  type Tag,
  type Target,
} from '@aws-sdk/client-scheduler';
import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { checkTimezone, nextFireTime, parseScheduleExpression, type ScheduleExpression } from '../model/schedule-expression.js';
import type { SimAccount, SimService } from './account.js';
import { awsError } from './errors.js';
import { page } from './paging.js';

// ============================================================================================
// Public types: scenarios, timing, quotas

/** Which schedules a scenario mark applies to. Omitted fields match everything. */
export interface ScheduleMatcher {
  group?: string;
  name?: string;
}

/** An invocation Scheduler gave up on: it went to the dead-letter queue (or was dropped without one). */
export interface DeadLetter {
  schedule: string;
  /** The dead-letter queue ARN, if the target had one. */
  queueArn?: string;
  /** When the invocation was due (ms). */
  dueAt: number;
  attempts: number;
  error: string;
}

/** One invocation of a target, as a test inspects it (`SchedulerSim.invocations`). */
export interface Invocation {
  schedule: string;
  dueAt: number;
  at: number;
  attempt: number;
  /** The tasks RunTask started, or the error that made it fail. */
  taskArns?: string[];
  error?: string;
}

/** How long simulated steps take (ms of simulated time). */
export interface SchedulerTiming {
  /** Between a failed invocation and its retry. */
  retryAfterMs: number;
}

export const DEFAULT_SCHEDULER_TIMING: Readonly<SchedulerTiming> = { retryAfterMs: 60_000 };

export { schedulerQuotas } from './limits.js';

// ============================================================================================
// Internal state

type Out<T> = Omit<T, '$metadata'>;

interface GroupState {
  name: string;
  arn: string;
  tags: Map<string, string>;
  createdAt: number;
  modifiedAt: number;
}

interface ScheduleState {
  group: GroupState;
  name: string;
  arn: string;
  /** The request as stored (with Scheduler's defaults filled in). */
  spec: Omit<CreateScheduleInput, 'Name' | 'GroupName' | 'ClientToken'>;
  parsed: ScheduleExpression;
  createdAt: number;
  modifiedAt: number;
  /** Bumped on every change; timers armed under an older value do nothing. */
  gen: number;
  /** The last fire time handled, so a schedule never fires twice for one time. */
  lastFired?: number;
}

const NAME = /^[0-9a-zA-Z._-]{1,64}$/;
const DEFAULT_GROUP = 'default';
const MAX_GROUPS = 500;
const MAX_TAGS = 200;

/**
 * The simulated Amazon EventBridge Scheduler: schedule groups (taggable), schedules (not
 * taggable) and, on the account's clock, the invocations of ENABLED schedules. A schedule whose
 * target is an ECS cluster with `EcsParameters` starts real simulated ECS tasks through the
 * simulated ECS's RunTask, with the target's tags; a failed invocation is retried per the
 * target's retry policy and then recorded as dead-lettered. Deliberate differences from AWS are in
 * SIMPLIFICATIONS.md.
 *
 * @example
 * const account = new SimAccount();
 * await account.clients().scheduler.send(new CreateScheduleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)', ... }));
 * account.clock.advance(86_400_000); // the nightly run has started an ECS task
 */
export class SchedulerSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    CreateScheduleGroup: (i) => this.createScheduleGroup(i),
    GetScheduleGroup: (i) => this.getScheduleGroup(i),
    ListScheduleGroups: (i) => this.listScheduleGroups(i),
    DeleteScheduleGroup: (i) => this.deleteScheduleGroup(i),
    CreateSchedule: (i) => this.createSchedule(i),
    UpdateSchedule: (i) => this.updateSchedule(i),
    GetSchedule: (i) => this.getSchedule(i),
    ListSchedules: (i) => this.listSchedules(i),
    DeleteSchedule: (i) => this.deleteSchedule(i),
    TagResource: (i) => this.tagResource(i),
    UntagResource: (i) => this.untagResource(i),
    ListTagsForResource: (i) => this.listTagsForResource(i),
  };

  readonly timing: SchedulerTiming = { ...DEFAULT_SCHEDULER_TIMING };
  /** Every invocation, oldest first. */
  readonly invocations: Invocation[] = [];
  /** Invocations given up on. */
  readonly deadLetters: DeadLetter[] = [];

  readonly #groups = new Map<string, GroupState>();
  readonly #schedules = new Map<string, ScheduleState>(); // `${group}/${name}`
  readonly #failures: { match: ScheduleMatcher; error: string }[] = [];

  constructor(readonly account: SimAccount) {
    const now = account.clock.now();
    this.#groups.set(DEFAULT_GROUP, { name: DEFAULT_GROUP, arn: this.#groupArn(DEFAULT_GROUP), tags: new Map(), createdAt: now, modifiedAt: now });
  }

  // ------------------------------------------------------------------------------ scenario API

  /**
   * Makes invocations of matching schedules fail with `error` (an AWS error name as Scheduler
   * would meet it calling RunTask, e.g. a role without `ecs:RunTask`), until `clearFailures`.
   */
  failInvocations(match: ScheduleMatcher, error = 'AccessDeniedException'): void {
    this.#failures.push({ match, error });
  }

  clearFailures(): void {
    this.#failures.length = 0;
  }

  /** Applies Scheduler's default request rates (`schedulerQuotas`) through the account's rate limits. */
  enforceQuotas(): void {
    this.account.enforceRateLimits(['scheduler']);
  }

  /** A schedule's stored form, for tests; undefined when it does not exist. */
  schedule(group: string, name: string): GetScheduleOutput | undefined {
    const s = this.#schedules.get(`${group}/${name}`);
    return s && this.#render(s);
  }

  // ------------------------------------------------------------------------------ groups

  createScheduleGroup(input: { Name?: string; Tags?: Tag[]; ClientToken?: string }): Out<{ ScheduleGroupArn: string }> {
    const name = this.#name(input.Name, 'Name');
    if (this.#groups.has(name)) throw awsError(ConflictException, `Schedule group ${name} already exists.`);
    if (this.#groups.size >= MAX_GROUPS) throw awsError(ServiceQuotaExceededException, `You have reached the quota of ${MAX_GROUPS} schedule groups in this Region.`, {}, 402);
    const now = this.account.clock.now();
    const group: GroupState = { name, arn: this.#groupArn(name), tags: new Map(), createdAt: now, modifiedAt: now };
    this.#setTags(group, input.Tags ?? []);
    this.#groups.set(name, group);
    return { ScheduleGroupArn: group.arn };
  }

  getScheduleGroup(input: { Name?: string }): Out<{ Arn: string; Name: string; State: 'ACTIVE'; CreationDate: Date; LastModificationDate: Date }> {
    const g = this.#group(input.Name);
    return { Arn: g.arn, Name: g.name, State: 'ACTIVE', CreationDate: new Date(g.createdAt), LastModificationDate: new Date(g.modifiedAt) };
  }

  listScheduleGroups(input: ListScheduleGroupsInput): Out<{ ScheduleGroups: ScheduleGroupSummary[]; NextToken?: string }> {
    const size = this.#maxResults(input.MaxResults);
    const groups = [...this.#groups.values()].filter((g) => !input.NamePrefix || g.name.startsWith(input.NamePrefix));
    const { items, next } = page(groups, { size, token: input.NextToken, key: (g) => [g.name] }, invalidToken);
    return {
      ScheduleGroups: items.map((g) => ({ Arn: g.arn, Name: g.name, State: 'ACTIVE', CreationDate: new Date(g.createdAt), LastModificationDate: new Date(g.modifiedAt) })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  deleteScheduleGroup(input: { Name?: string }): Out<object> {
    const g = this.#group(input.Name);
    if (g.name === DEFAULT_GROUP) throw awsError(ValidationException, 'The default schedule group cannot be deleted.');
    for (const [key, s] of this.#schedules) if (s.group === g) this.#schedules.delete(key);
    this.#groups.delete(g.name);
    return {};
  }

  // ------------------------------------------------------------------------------ schedules

  createSchedule(input: CreateScheduleInput): Out<{ ScheduleArn: string }> {
    const name = this.#name(input.Name, 'Name');
    const group = this.#group(input.GroupName ?? DEFAULT_GROUP);
    const key = `${group.name}/${name}`;
    const checked = this.#check(input);
    if (this.#schedules.has(key)) throw awsError(ConflictException, `Schedule ${name} already exists.`);
    const now = this.account.clock.now();
    const s: ScheduleState = { group, name, arn: this.#scheduleArn(group.name, name), ...checked, createdAt: now, modifiedAt: now, gen: 0 };
    this.#schedules.set(key, s);
    this.#arm(s);
    return { ScheduleArn: s.arn };
  }

  /** Replaces the whole schedule: what the request leaves out goes back to Scheduler's defaults. */
  updateSchedule(input: CreateScheduleInput): Out<{ ScheduleArn: string }> {
    const name = this.#name(input.Name, 'Name');
    const group = this.#group(input.GroupName ?? DEFAULT_GROUP);
    const s = this.#schedules.get(`${group.name}/${name}`);
    if (!s) throw awsError(ResourceNotFoundException, `Schedule ${name} does not exist.`, {}, 404);
    Object.assign(s, this.#check(input), { modifiedAt: this.account.clock.now() });
    s.gen += 1;
    this.#arm(s);
    return { ScheduleArn: s.arn };
  }

  getSchedule(input: { Name?: string; GroupName?: string }): Out<GetScheduleOutput> {
    const name = this.#name(input.Name, 'Name');
    const group = this.#group(input.GroupName ?? DEFAULT_GROUP);
    const s = this.#schedules.get(`${group.name}/${name}`);
    if (!s) throw awsError(ResourceNotFoundException, `Schedule ${name} does not exist.`, {}, 404);
    return this.#render(s);
  }

  listSchedules(input: ListSchedulesInput): Out<{ Schedules: ScheduleSummary[]; NextToken?: string }> {
    const size = this.#maxResults(input.MaxResults);
    if (input.GroupName !== undefined) this.#group(input.GroupName);
    const list = [...this.#schedules.values()].filter(
      (s) => (!input.GroupName || s.group.name === input.GroupName) && (!input.NamePrefix || s.name.startsWith(input.NamePrefix)) && (!input.State || this.#state(s) === input.State),
    );
    const { items, next } = page(list, { size, token: input.NextToken, key: (s) => [s.group.name, s.name] }, invalidToken);
    return {
      Schedules: items.map((s) => ({
        Arn: s.arn,
        Name: s.name,
        GroupName: s.group.name,
        State: this.#state(s),
        CreationDate: new Date(s.createdAt),
        LastModificationDate: new Date(s.modifiedAt),
        Target: { Arn: s.spec.Target!.Arn },
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  deleteSchedule(input: { Name?: string; GroupName?: string }): Out<object> {
    const name = this.#name(input.Name, 'Name');
    const group = this.#group(input.GroupName ?? DEFAULT_GROUP);
    const key = `${group.name}/${name}`;
    const s = this.#schedules.get(key);
    if (!s) throw awsError(ResourceNotFoundException, `Schedule ${name} does not exist.`, {}, 404);
    s.gen += 1;
    this.#schedules.delete(key);
    return {};
  }

  // ------------------------------------------------------------------------------ tags

  tagResource(input: { ResourceArn?: string; Tags?: Tag[] }): Out<object> {
    const g = this.#taggable(input.ResourceArn);
    this.#setTags(g, input.Tags ?? []);
    return {};
  }

  untagResource(input: { ResourceArn?: string; TagKeys?: string[] }): Out<object> {
    const g = this.#taggable(input.ResourceArn);
    for (const k of input.TagKeys ?? []) g.tags.delete(k);
    return {};
  }

  listTagsForResource(input: { ResourceArn?: string }): Out<{ Tags: Tag[] }> {
    const g = this.#taggable(input.ResourceArn);
    return { Tags: [...g.tags].map(([Key, Value]) => ({ Key, Value })) };
  }

  // ------------------------------------------------------------------------------ firing

  /** Arms the schedule's next invocation on the account's clock (once per fire time). */
  #arm(s: ScheduleState): void {
    if (this.#state(s) !== 'ENABLED') return;
    const now = this.account.clock.now();
    const from = Math.max(now - 1, s.lastFired ?? -Infinity, (s.spec.StartDate?.getTime() ?? -Infinity) - 1);
    const anchor = s.spec.StartDate?.getTime() ?? s.createdAt;
    const due = nextFireTime(s.parsed, { timezone: s.spec.ScheduleExpressionTimezone ?? 'UTC', anchor }, from);
    if (due === undefined || (s.spec.EndDate && due > s.spec.EndDate.getTime())) return;
    const window = s.spec.FlexibleTimeWindow?.Mode === 'FLEXIBLE' ? (s.spec.FlexibleTimeWindow.MaximumWindowInMinutes ?? 0) * 60_000 : 0;
    // Scheduler invokes within 60 seconds of the fire time, or anywhere in a flexible window.
    const at = due + Math.floor(this.account.random() * window);
    const gen = s.gen;
    this.account.clock.schedule(at - now, () => {
      if (s.gen !== gen || !this.#schedules.has(`${s.group.name}/${s.name}`)) return;
      s.lastFired = due;
      this.#invoke(s, due, 0);
      if (s.parsed.kind === 'at' && s.spec.ActionAfterCompletion === 'DELETE') this.#schedules.delete(`${s.group.name}/${s.name}`);
      else this.#arm(s);
    });
  }

  #invoke(s: ScheduleState, dueAt: number, attempt: number): void {
    const now = this.account.clock.now();
    const record: Invocation = { schedule: `${s.group.name}/${s.name}`, dueAt, at: now, attempt };
    this.invocations.push(record);
    try {
      const failure = this.#failures.findLast((f) => (!f.match.group || f.match.group === s.group.name) && (!f.match.name || f.match.name === s.name));
      if (failure) throw Object.assign(new Error(`${failure.error} (scenario)`), { name: failure.error });
      record.taskArns = this.#runTask(s.spec.Target!);
    } catch (err) {
      record.error = (err as Error).name;
      const policy = s.spec.Target!.RetryPolicy!;
      const retryAt = now + this.timing.retryAfterMs;
      const gen = s.gen;
      if (attempt < (policy.MaximumRetryAttempts ?? 185) && retryAt - dueAt <= (policy.MaximumEventAgeInSeconds ?? 86400) * 1000) {
        this.account.clock.schedule(this.timing.retryAfterMs, () => {
          if (s.gen === gen) this.#invoke(s, dueAt, attempt + 1);
        });
      } else {
        this.deadLetters.push({ schedule: record.schedule, queueArn: s.spec.Target!.DeadLetterConfig?.Arn, dueAt, attempts: attempt + 1, error: record.error });
      }
    }
  }

  /** The templated ECS RunTask target: Scheduler calls RunTask with the target's parameters. */
  #runTask(target: Target): string[] {
    const ecs = target.EcsParameters;
    if (!ecs || !/^arn:aws[a-z-]*:ecs:/.test(target.Arn ?? '')) {
      throw Object.assign(new Error(`the simulated Scheduler only invokes ECS RunTask targets, not ${target.Arn}`), { name: 'ValidationException' });
    }
    const tags = (ecs.Tags ?? []).flatMap((m) => Object.entries(m).map(([key, value]) => ({ key, value })));
    const vpc = ecs.NetworkConfiguration?.awsvpcConfiguration;
    const input: RunTaskCommandInput = {
      cluster: target.Arn,
      taskDefinition: ecs.TaskDefinitionArn,
      count: ecs.TaskCount ?? 1,
      ...(ecs.CapacityProviderStrategy?.length ? { capacityProviderStrategy: ecs.CapacityProviderStrategy } : { launchType: ecs.LaunchType ?? 'FARGATE' }),
      ...(vpc ? { networkConfiguration: { awsvpcConfiguration: { subnets: vpc.Subnets, securityGroups: vpc.SecurityGroups, assignPublicIp: vpc.AssignPublicIp } } } : {}),
      ...(ecs.PlatformVersion ? { platformVersion: ecs.PlatformVersion } : {}),
      ...(ecs.Group ? { group: ecs.Group } : {}),
      ...(ecs.PropagateTags ? { propagateTags: ecs.PropagateTags } : {}),
      ...(tags.length ? { tags } : {}),
    };
    const out = this.account.ecs.runTask(input);
    return out.tasks.map((t) => t.taskArn!);
  }

  // ------------------------------------------------------------------------------ checks

  /** Validates a Create/UpdateSchedule request and fills Scheduler's defaults. */
  #check(input: CreateScheduleInput): Pick<ScheduleState, 'spec' | 'parsed'> {
    const parsed = parseScheduleExpression(input.ScheduleExpression ?? '');
    if ('error' in parsed) throw awsError(ValidationException, `Invalid Schedule Expression ${input.ScheduleExpression ?? ''}.`);
    if (input.ScheduleExpressionTimezone !== undefined && checkTimezone(input.ScheduleExpressionTimezone)) {
      throw awsError(ValidationException, `Invalid timezone ${input.ScheduleExpressionTimezone}.`);
    }
    if (input.Description !== undefined && input.Description.length > 512) throw awsError(ValidationException, 'Description must be at most 512 characters.');
    if (input.State !== undefined && input.State !== 'ENABLED' && input.State !== 'DISABLED') throw awsError(ValidationException, `Invalid State ${input.State}.`);
    const window = input.FlexibleTimeWindow;
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')) throw awsError(ValidationException, 'FlexibleTimeWindow with Mode OFF or FLEXIBLE is required.');
    const minutes = window.MaximumWindowInMinutes;
    if (window.Mode === 'FLEXIBLE' && (minutes === undefined || minutes < 1 || minutes > 1440)) {
      throw awsError(ValidationException, 'MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.');
    }
    if (window.Mode === 'OFF' && minutes !== undefined) throw awsError(ValidationException, 'MaximumWindowInMinutes must not be set when Mode is OFF.');
    const target = this.#checkTarget(input.Target);
    const { Name: _n, GroupName: _g, ClientToken: _c, ...spec } = input;
    return {
      parsed,
      spec: { ...spec, State: input.State ?? 'ENABLED', ActionAfterCompletion: input.ActionAfterCompletion ?? 'NONE', FlexibleTimeWindow: { ...window }, Target: target },
    };
  }

  #checkTarget(target: Target | undefined): Target {
    if (!target?.Arn) throw awsError(ValidationException, 'Target Arn is required.');
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(target.RoleArn ?? '')) throw awsError(ValidationException, `Invalid RoleArn ${target.RoleArn ?? ''}.`);
    const retry = { MaximumEventAgeInSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86400, MaximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? 185 };
    if (retry.MaximumEventAgeInSeconds < 60 || retry.MaximumEventAgeInSeconds > 86400) throw awsError(ValidationException, 'MaximumEventAgeInSeconds must be between 60 and 86400.');
    if (retry.MaximumRetryAttempts < 0 || retry.MaximumRetryAttempts > 185) throw awsError(ValidationException, 'MaximumRetryAttempts must be between 0 and 185.');
    if (target.DeadLetterConfig?.Arn !== undefined && !/^arn:aws[a-z-]*:sqs:/.test(target.DeadLetterConfig.Arn)) {
      throw awsError(ValidationException, `Invalid DeadLetterConfig Arn ${target.DeadLetterConfig.Arn}.`);
    }
    const ecs = target.EcsParameters;
    if (ecs) {
      if (!ecs.TaskDefinitionArn) throw awsError(ValidationException, 'EcsParameters TaskDefinitionArn is required.');
      if (ecs.TaskCount !== undefined && (ecs.TaskCount < 1 || ecs.TaskCount > 10)) throw awsError(ValidationException, 'TaskCount must be between 1 and 10.');
      if (ecs.LaunchType && ecs.CapacityProviderStrategy?.length) throw awsError(ValidationException, 'LaunchType and CapacityProviderStrategy cannot both be set.');
      if ((ecs.Tags?.length ?? 0) > 50) throw awsError(ValidationException, 'EcsParameters Tags can have at most 50 items.');
    }
    return structuredClone({ ...target, RetryPolicy: retry });
  }

  #render(s: ScheduleState): Out<GetScheduleOutput> {
    return structuredClone({
      Arn: s.arn,
      GroupName: s.group.name,
      Name: s.name,
      ...s.spec,
      CreationDate: new Date(s.createdAt),
      LastModificationDate: new Date(s.modifiedAt),
    });
  }

  #state(s: ScheduleState): 'ENABLED' | 'DISABLED' {
    return s.spec.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
  }

  #name(value: string | undefined, field: string): string {
    if (!value || !NAME.test(value)) throw awsError(ValidationException, `1 validation error detected: Value '${value ?? ''}' at '${field.toLowerCase()}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$`);
    return value;
  }

  #group(name: string | undefined): GroupState {
    const g = this.#groups.get(this.#name(name, 'GroupName'));
    if (!g) throw awsError(ResourceNotFoundException, `Schedule group ${name} does not exist.`, {}, 404);
    return g;
  }

  #taggable(arn: string | undefined): GroupState {
    const m = /^arn:aws[a-z-]*:scheduler:[a-z0-9-]+:\d{12}:schedule-group\/(.+)$/.exec(arn ?? '');
    if (!m) throw awsError(ValidationException, `Tags are supported on schedule groups only; ${arn ?? ''} is not a schedule group ARN.`);
    const g = this.#groups.get(m[1]);
    if (!g) throw awsError(ResourceNotFoundException, `Schedule group ${m[1]} does not exist.`, {}, 404);
    return g;
  }

  #setTags(g: GroupState, tags: Tag[]): void {
    const merged = new Map(g.tags);
    for (const t of tags) {
      if (!t.Key || t.Key.length > 128 || (t.Value ?? '').length > 256) throw awsError(ValidationException, 'Tag keys must be 1-128 characters and values at most 256.');
      merged.set(t.Key, t.Value ?? '');
    }
    if (merged.size > MAX_TAGS) throw awsError(ValidationException, `A resource can have at most ${MAX_TAGS} tags.`);
    g.tags.clear();
    for (const [k, v] of merged) g.tags.set(k, v);
    g.modifiedAt = this.account.clock.now();
  }

  #maxResults(value: number | undefined): number {
    if (value === undefined) return 100;
    if (!Number.isInteger(value) || value < 1 || value > 100) throw awsError(ValidationException, 'MaxResults must be between 1 and 100.');
    return value;
  }

  #groupArn(name: string): string {
    return `arn:aws:scheduler:${this.account.region}:${this.account.accountId}:schedule-group/${name}`;
  }

  #scheduleArn(group: string, name: string): string {
    return `arn:aws:scheduler:${this.account.region}:${this.account.accountId}:schedule/${group}/${name}`;
  }
}

function invalidToken(): Error {
  return awsError(ValidationException, 'Invalid NextToken.');
}
