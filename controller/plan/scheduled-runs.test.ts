import { describe, expect, it } from 'vitest';
import type { EcsTask, SchedulerSchedule } from '../model/aws.js';
import { formatRunRecord, judgeRuns, parseRunRecord } from './scheduled-runs.js';

/** The nightly schedule at 03:00 Asia/Tokyo (18:00 UTC), created on 1 January at 00:00 UTC. */
const schedule: SchedulerSchedule = {
  arn: 'arn:aws:scheduler:ap-northeast-1:123456789012:schedule/steady-shop-prod/db-migrate-nightly',
  name: 'db-migrate-nightly',
  group: 'steady-shop-prod',
  expression: 'cron(0 3 * * ? *)',
  timezone: 'Asia/Tokyo',
  state: 'ENABLED',
  target: { arn: 'arn:aws:ecs:ap-northeast-1:123456789012:cluster/shop-prod', roleArn: 'arn:aws:iam::123456789012:role/x', retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 } },
  createdAt: Date.parse('2026-01-01T00:00:00Z'),
  modifiedAt: Date.parse('2026-01-01T00:00:00Z'),
};
const FIRE = Date.parse('2026-01-01T18:00:00Z');
const MIN = 60_000;

function task(id: string, createdAt: number, end?: { exitCode: number; at: number }): EcsTask {
  return {
    arn: `arn:aws:ecs:ap-northeast-1:123456789012:task/shop-prod/${id}`,
    clusterArn: schedule.target.arn,
    taskDefinitionArn: 'arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api-db-migrate-nightly:1',
    lastStatus: end ? 'STOPPED' : 'RUNNING',
    desiredStatus: end ? 'STOPPED' : 'RUNNING',
    createdAt,
    startedAt: createdAt + 15_000,
    ...(end ? { stoppedAt: end.at } : {}),
    containers: [{ name: 'app', ...(end ? { exitCode: end.exitCode } : {}) }],
    tags: {},
  };
}

describe('judging the runs of a schedule', () => {
  it.each([
    ['before the first fire time: no run, the next one', FIRE - MIN, [], undefined, { running: [], next: FIRE }],
    ['a run under way', FIRE + MIN, [task('a1', FIRE, undefined)], undefined, { last: { fireTime: FIRE, result: 'running', taskId: 'a1' } }],
    [
      'a run that exited 1, not yet recorded: record it',
      FIRE + 3 * MIN,
      [task('a1', FIRE, { exitCode: 1, at: FIRE + 75_000 })],
      undefined,
      { last: { fireTime: FIRE, result: 'failed', taskId: 'a1', exitCode: 1, durationMs: 60_000 }, record: 'fire=2026-01-01T18:00:00.000Z result=failed task=a1 exit=1 seconds=60' },
    ],
    ['within the window and its grace, no task yet: not missed', FIRE + 4 * MIN, [], undefined, { running: [], next: FIRE + 86_400_000 }],
    ['past the grace, no task: missed, and recorded', FIRE + 6 * MIN, [], undefined, { last: { fireTime: FIRE, result: 'missed' }, record: 'fire=2026-01-01T18:00:00.000Z result=missed' }],
    ['hours later with no task and no record: steady cannot tell', FIRE + 3 * 60 * MIN, [], undefined, { running: [], unknown: FIRE }],
    [
      'hours later, the record tells; nothing to write again',
      FIRE + 3 * 60 * MIN,
      [],
      'fire=2026-01-01T18:00:00.000Z result=failed task=a1 exit=1 seconds=60',
      { last: { fireTime: FIRE, result: 'failed', taskId: 'a1', exitCode: 1, durationMs: 60_000 } },
    ],
  ])('%s', (_what, now, tasks, record, expected) => {
    const judged = judgeRuns(schedule, tasks as EcsTask[], parseRunRecord(record), 'app', now);
    expect(judged).toMatchObject(expected);
    if (!('record' in expected)) expect(judged.record).toBeUndefined();
  });

  it('judges no run missed that was due before the schedule last changed, or while it was disabled', () => {
    expect(judgeRuns({ ...schedule, modifiedAt: FIRE + MIN }, [], undefined, 'app', FIRE + 10 * MIN).last).toBeUndefined();
    expect(judgeRuns({ ...schedule, state: 'DISABLED' }, [], undefined, 'app', FIRE + 10 * MIN)).toEqual({ running: [] });
  });

  it('gives a flexible window its minutes before a run counts as missed', () => {
    const flexible = { ...schedule, flexibleWindowMinutes: 30 };
    expect(judgeRuns(flexible, [], undefined, 'app', FIRE + 20 * MIN).last).toBeUndefined();
    expect(judgeRuns(flexible, [], undefined, 'app', FIRE + 36 * MIN).last).toEqual({ fireTime: FIRE, result: 'missed' });
  });

  it('reads back what it writes, and ignores a tag that is not its own', () => {
    const run = { fireTime: FIRE, result: 'failed' as const, taskId: 'a1', exitCode: 137, stopCode: 'EssentialContainerExited', durationMs: 20_000 };
    expect(parseRunRecord(formatRunRecord(run))).toEqual(run);
    expect(parseRunRecord('set by hand')).toBeUndefined();
  });
});
