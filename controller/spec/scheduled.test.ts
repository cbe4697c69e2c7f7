import { describe, expect, it } from 'vitest';
import { edited, loadShop as load, problems } from './testkit.js';

/** The seed's nightly migration, with `replace` applied to its text. */
function nightly(replace: [string, string][] = [], name = 'db-migrate-nightly'): string {
  const text = `apiVersion: steady.dev/v1alpha1
kind: ScheduledTask
metadata: { name: ${name}, environment: shop-prod }
spec:
  schedule: cron(0 3 * * ? *)
  timezone: Asia/Tokyo
  fromService: api
  container: app
  command: [alembic, upgrade, head]
  roleArn: arn:aws:iam::123456789012:role/shop-prod-scheduler
`;
  return edited(text, replace);
}

describe('ScheduledTask specs', () => {
  it('loads the seed\'s nightly migration with its defaults', () => {
    const r = load(nightly());
    expect(problems(r)).toEqual([]);
    if (!r.ok) return;
    const [task] = r.specSet.environments[0].scheduledTasks;
    expect(task.spec).toMatchObject({
      schedule: 'cron(0 3 * * ? *)',
      timezone: 'Asia/Tokyo',
      enabled: true,
      overlap: 'allow',
      adopt: false,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 },
    });
    expect(r.specSet.environments[0].locations['ScheduledTask/db-migrate-nightly']).toEqual({ file: 'specs/shop.yaml', line: 19, column: 1 });
  });

  it('points a cron expression AWS would refuse at file:line:col, saying what is wrong', () => {
    expect(problems(load(nightly([['cron(0 3 * * ? *)', 'cron(0 3 * * *)']])))).toEqual([
      'specs/shop.yaml:23:13 spec.schedule: expected six fields (minutes hours day-of-month month day-of-week year), got 5 in cron(0 3 * * *)',
    ]);
    expect(problems(load(nightly([['cron(0 3 * * ? *)', 'cron(0 3 * * MON *)']])))).toEqual([
      'specs/shop.yaml:23:13 spec.schedule: exactly one of day-of-month and day-of-week must be ?: AWS does not take both (use ? in the one you do not restrict)',
    ]);
    expect(problems(load(nightly([['cron(0 3 * * ? *)', '"0 3 * * *"']])))).toEqual([
      'specs/shop.yaml:23:13 spec.schedule: expected cron(minutes hours day-of-month month day-of-week year), rate(value unit) or at(yyyy-mm-ddThh:mm:ss)',
    ]);
  });

  it('points a time zone that is not an IANA name at file:line:col', () => {
    expect(problems(load(nightly([['Asia/Tokyo', 'JST']])))).toEqual([
      'specs/shop.yaml:24:13 spec.timezone: expected an IANA time zone name such as Asia/Tokyo or UTC, got "JST" (an abbreviation is not one)',
    ]);
    expect(problems(load(nightly([['Asia/Tokyo', 'Asia/Tokio']])))).toEqual([
      'specs/shop.yaml:24:13 spec.timezone: expected an IANA time zone name such as Asia/Tokyo or UTC, got "Asia/Tokio"',
    ]);
  });

  it('needs the role Scheduler runs the task with', () => {
    expect(problems(load(nightly([['  roleArn: arn:aws:iam::123456789012:role/shop-prod-scheduler\n', '']])))).toEqual([
      'specs/shop.yaml:23:3 spec.roleArn: missing required field, expected a string',
    ]);
  });

  it('checks the service it runs from, its container and who else uses its family and schedule', () => {
    expect(problems(load(nightly([['container: app', 'container: worker']])))).toEqual([
      'specs/shop.yaml:26:14 spec.container: expected a container of Service "api" (app), got "worker"',
    ]);
    expect(problems(load(nightly([['fromService: api', 'fromService: apii']])))).toEqual([
      'specs/shop.yaml:25:16 spec.fromService: no Service named "apii" in environment shop-prod (did you mean "api"?)',
    ]);
    const twice = problems(load(nightly(), nightly([['metadata: { name: db-migrate-nightly', 'metadata: { name: other'], ['  schedule:', '  scheduleName: db-migrate-nightly\n  schedule:']], 'other')));
    expect(twice).toEqual([
      'specs/shop.yaml:34:17 spec.scheduleName: schedule steady-shop-prod/db-migrate-nightly is already claimed by ScheduledTask "db-migrate-nightly" at specs/shop.yaml:19:1; two ScheduledTasks would fight over it',
    ]);
  });
});
