/**
 * The runs of a ScheduledTask, as steady judges them: which fire time each ECS task the schedule
 * started belongs to, how the last run ended (exit code, duration), whether a run that was due never
 * started, and whether runs overlap. ECS forgets a stopped task after an hour, so the outcome of
 * the last finished run is also written into a tag of the task's own family (`steady:last-run`);
 * this module reads and writes that record. Pure.
 */
import type { EcsTask, SchedulerSchedule } from '../model/aws.js';
import { formatFireTime, nextFireTime, parseScheduleExpression, previousFireTime, type FireContext, type ScheduleExpression } from '../model/schedule-expression.js';

/** How long after a fire time (and its flexible window) a run may start and still count as on time. */
export const START_GRACE_MS = 5 * 60_000;
/** ECS keeps a stopped task at least this long; after it, only the record tells. */
export const ECS_KEEPS_STOPPED_MS = 60 * 60_000;

/** One run: due at `fireTime`, and how it went. */
export interface RunView {
  fireTime: number;
  result: 'running' | 'succeeded' | 'failed' | 'missed';
  /** The ECS task id (the last part of its ARN). */
  taskId?: string;
  exitCode?: number;
  stopCode?: string;
  /** Why it stopped, when it has no exit code (it never started, say). */
  reason?: string;
  durationMs?: number;
}

/** What the planner needs to know about a task's runs. */
export interface RunsJudgement {
  /** The latest run known (from ECS or the record), or a missed one. */
  last?: RunView;
  /** Runs under way now (more than one: they overlap). */
  running: RunView[];
  /** When the schedule fires next (within the look-ahead), if it does. */
  next?: number;
  /** A due run no pass saw start and ECS no longer shows (steady cannot tell whether it ran). */
  unknown?: number;
  /** The record to write, when the last finished (or missed) run is newer than the one recorded. */
  record?: string;
}

export function taskIdOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The `steady:last-run` value of a run. */
export function formatRunRecord(run: RunView): string {
  const parts = [`fire=${new Date(run.fireTime).toISOString()}`, `result=${run.result}`];
  if (run.taskId) parts.push(`task=${run.taskId}`);
  if (run.exitCode !== undefined) parts.push(`exit=${run.exitCode}`);
  if (run.stopCode) parts.push(`stop=${run.stopCode}`);
  if (run.durationMs !== undefined) parts.push(`seconds=${Math.round(run.durationMs / 1000)}`);
  return parts.join(' ');
}

/** A `steady:last-run` value read back; undefined when absent or not steady's format. */
export function parseRunRecord(value: string | undefined): RunView | undefined {
  if (!value) return undefined;
  const fields = Object.fromEntries(value.split(' ').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  const fireTime = Date.parse(fields.fire ?? '');
  const result = fields.result as RunView['result'];
  if (Number.isNaN(fireTime) || !['succeeded', 'failed', 'missed'].includes(result)) return undefined;
  return {
    fireTime,
    result,
    ...(fields.task ? { taskId: fields.task } : {}),
    ...(fields.exit !== undefined ? { exitCode: Number(fields.exit) } : {}),
    ...(fields.stop ? { stopCode: fields.stop } : {}),
    ...(fields.seconds !== undefined ? { durationMs: Number(fields.seconds) * 1000 } : {}),
  };
}

/** How one ECS task the schedule started went. `container` is the one whose exit code decides. */
export function runOf(task: EcsTask, fireTime: number, container: string): RunView {
  const base = { fireTime, taskId: taskIdOf(task.arn) };
  if (task.lastStatus !== 'STOPPED') return { ...base, result: 'running' };
  const c = task.containers.find((x) => x.name === container) ?? task.containers.find((x) => x.exitCode !== undefined);
  const started = task.startedAt ?? task.createdAt;
  const durationMs = task.stoppedAt !== undefined && started !== undefined ? task.stoppedAt - started : undefined;
  const timing = durationMs !== undefined ? { durationMs } : {};
  if (c?.exitCode === 0) return { ...base, result: 'succeeded', exitCode: 0, ...timing };
  if (c?.exitCode !== undefined) return { ...base, result: 'failed', exitCode: c.exitCode, ...(task.stopCode ? { stopCode: task.stopCode } : {}), ...timing };
  return { ...base, result: 'failed', ...(task.stopCode ? { stopCode: task.stopCode } : {}), reason: task.stoppedReason ?? 'the task stopped without an exit code', ...timing };
}

/** The schedule's expression and where it counts from; undefined for an expression steady cannot read. */
export function fireContextOf(schedule: SchedulerSchedule): { expression: ScheduleExpression; context: FireContext } | undefined {
  const expression = parseScheduleExpression(schedule.expression);
  if ('error' in expression) return undefined;
  return { expression, context: { timezone: schedule.timezone, anchor: schedule.startDate ?? schedule.createdAt } };
}

/**
 * Judges the runs of a schedule at `now` from the tasks ECS still shows, the record of the last
 * run, and the schedule itself. A run due at T is missed when no task started for it within its
 * window (plus `START_GRACE_MS`), the schedule was ENABLED and unchanged since T, and ECS would
 * still show the task had it run; later than that, without a record, steady cannot tell.
 */
export function judgeRuns(schedule: SchedulerSchedule, tasks: EcsTask[], recorded: RunView | undefined, container: string, now: number): RunsJudgement {
  const fire = fireContextOf(schedule);
  if (!fire) return { running: [] };
  const { expression, context } = fire;
  const fireOf = (t: EcsTask) => previousFireTime(expression, context, t.createdAt ?? now) ?? t.createdAt ?? now;
  const runs = [...tasks].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0)).map((t) => runOf(t, fireOf(t), container));
  const running = runs.filter((r) => r.result === 'running');
  const seen = runs[0];
  let last = seen && (!recorded || seen.fireTime >= recorded.fireTime) ? seen : recorded;
  const enabled = schedule.state === 'ENABLED';
  const next = enabled ? nextFireTime(expression, context, now) : undefined;
  const windowMs = (schedule.flexibleWindowMinutes ?? 0) * 60_000;
  const due = enabled ? previousFireTime(expression, context, now - windowMs - START_GRACE_MS) : undefined;
  let unknown: number | undefined;
  if (due !== undefined && due >= schedule.modifiedAt && (schedule.startDate === undefined || due >= schedule.startDate) && (!last || last.fireTime < due)) {
    if (now - due - windowMs <= ECS_KEEPS_STOPPED_MS) last = { fireTime: due, result: 'missed' };
    else unknown = due;
  }
  const finished = last && last.result !== 'running' ? last : runs.find((r) => r.result !== 'running');
  const newer = finished && (!recorded || finished.fireTime > recorded.fireTime || (finished.fireTime === recorded.fireTime && finished.result !== recorded.result));
  return {
    ...(last ? { last } : {}),
    running,
    ...(next !== undefined ? { next } : {}),
    ...(unknown !== undefined ? { unknown } : {}),
    ...(newer ? { record: formatRunRecord(finished) } : {}),
  };
}

/** `exit code 1 after 20 s (task 0f3c…)`: how a run ended, for people. */
export function describeRun(run: RunView): string {
  const task = run.taskId ? ` (task ${run.taskId})` : '';
  const took = run.durationMs !== undefined ? ` after ${Math.round(run.durationMs / 1000)} s` : '';
  switch (run.result) {
    case 'running':
      return `running${task}`;
    case 'missed':
      return 'did not start';
    case 'succeeded':
      return `succeeded${took}${task}`;
    case 'failed':
      return `${run.exitCode !== undefined ? `exit code ${run.exitCode}` : (run.reason ?? run.stopCode ?? 'failed')}${took}${task}`;
  }
}

export { formatFireTime };
