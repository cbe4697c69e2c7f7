import { describe, expect, it } from 'vitest';
import { checkTimezone, fireTimes, formatFireTime, nextFireTime, parseScheduleExpression, previousFireTime, type ScheduleExpression } from './schedule-expression.js';

function parsed(expression: string): ScheduleExpression {
  const p = parseScheduleExpression(expression);
  if ('error' in p) throw new Error(p.error);
  return p;
}

const iso = (t: number) => new Date(t).toISOString();
/** The next `n` fire times after `from`, in UTC unless a zone is given. */
function next(expression: string, from: string, n = 3, timezone = 'UTC'): string[] {
  return fireTimes(parsed(expression), { timezone, anchor: 0 }, Date.parse(from) - 1, Date.parse(from) + 800 * 86_400_000, n).map(iso);
}

describe('schedule expressions: the examples of AWS\'s cron expressions reference', () => {
  // From 2026-01-01 (a Thursday), UTC.
  const from = '2026-01-01T00:00:00Z';

  it.each([
    ['cron(0 10 * * ? *)', 'Run at 10:00 am (UTC+0) every day', ['2026-01-01T10:00:00.000Z', '2026-01-02T10:00:00.000Z', '2026-01-03T10:00:00.000Z']],
    ['cron(15 12 * * ? *)', 'Run at 12:15 pm (UTC+0) every day', ['2026-01-01T12:15:00.000Z', '2026-01-02T12:15:00.000Z', '2026-01-03T12:15:00.000Z']],
    ['cron(0 18 ? * MON-FRI *)', 'Run at 6:00 pm (UTC+0) every Monday through Friday', ['2026-01-01T18:00:00.000Z', '2026-01-02T18:00:00.000Z', '2026-01-05T18:00:00.000Z']],
    ['cron(0 8 1 * ? *)', 'Run at 8:00 am (UTC+0) every 1st day of the month', ['2026-01-01T08:00:00.000Z', '2026-02-01T08:00:00.000Z', '2026-03-01T08:00:00.000Z']],
    ['cron(0/15 * * * ? *)', 'Run every 15 minutes', ['2026-01-01T00:00:00.000Z', '2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z']],
    ['cron(0/10 * ? * MON-FRI *)', 'Run every 10 minutes Monday through Friday', ['2026-01-01T00:00:00.000Z', '2026-01-01T00:10:00.000Z', '2026-01-01T00:20:00.000Z']],
    ['cron(1/10 * * * ? *)', 'every tenth minute, starting from the first (the / wildcard\'s example)', ['2026-01-01T00:01:00.000Z', '2026-01-01T00:11:00.000Z', '2026-01-01T00:21:00.000Z']],
    ['cron(0 10 3W * ? *)', '3W: the weekday closest to the third day of the month (Sat 3 Jan -> Fri 2 Jan)', ['2026-01-02T10:00:00.000Z', '2026-02-03T10:00:00.000Z', '2026-03-03T10:00:00.000Z']],
    ['cron(0 10 ? * 3#2 *)', '3#2: the second Tuesday of the month', ['2026-01-13T10:00:00.000Z', '2026-02-10T10:00:00.000Z', '2026-03-10T10:00:00.000Z']],
    ['cron(0 10 L * ? *)', 'L in day-of-month: the last day of the month', ['2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z', '2026-03-31T10:00:00.000Z']],
    ['cron(15 10 ? * 6L 2026-2027)', '6L: the last Friday of the month, in 2026-2027 (the Scheduler guide\'s example)', ['2026-01-30T10:15:00.000Z', '2026-02-27T10:15:00.000Z', '2026-03-27T10:15:00.000Z']],
    ['cron(0 10 ? * L *)', 'L in day-of-week: the last day of the week (Saturday)', ['2026-01-03T10:00:00.000Z', '2026-01-10T10:00:00.000Z', '2026-01-17T10:00:00.000Z']],
  ])('%s — %s', (expression, _meaning, expected) => {
    expect(next(expression, from)).toEqual(expected);
  });

  it('cron(0/5 8-17 ? * MON-FRI *): every 5 minutes on weekdays between 8:00 am and 5:55 pm', () => {
    expect(next('cron(0/5 8-17 ? * MON-FRI *)', '2026-01-02T17:50:00Z', 4)).toEqual([
      '2026-01-02T17:50:00.000Z',
      '2026-01-02T17:55:00.000Z',
      '2026-01-05T08:00:00.000Z',
      '2026-01-05T08:05:00.000Z',
    ]);
  });

  it('cron(0/30 20-2 ? * MON-FRI *): a range of hours that wraps past midnight', () => {
    expect(next('cron(0/30 20-2 ? * MON-FRI *)', '2026-01-01T01:00:00Z', 6)).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T01:30:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T02:30:00.000Z',
      '2026-01-01T20:00:00.000Z',
      '2026-01-01T20:30:00.000Z',
    ]);
  });

  it('day-of-week counts 1-7 from Sunday, as AWS does (not 0-6 as Unix cron)', () => {
    expect(next('cron(0 10 ? * 1 *)', from, 1)).toEqual(['2026-01-04T10:00:00.000Z']); // Sunday
    expect(next('cron(0 10 ? * 7 *)', from, 1)).toEqual(['2026-01-03T10:00:00.000Z']); // Saturday
    expect(next('cron(0 10 ? * FRI-MON *)', from, 4)).toEqual(['2026-01-02T10:00:00.000Z', '2026-01-03T10:00:00.000Z', '2026-01-04T10:00:00.000Z', '2026-01-05T10:00:00.000Z']);
  });

  it('a year that has passed never fires', () => {
    expect(next('cron(0 10 * * ? 2025)', from)).toEqual([]);
  });
});

describe('schedule expressions: time zones and daylight saving time', () => {
  it('the nightly migration at 03:00 Asia/Tokyo fires at 18:00 UTC the day before', () => {
    expect(next('cron(0 3 * * ? *)', '2026-01-01T00:00:00Z', 2, 'Asia/Tokyo')).toEqual(['2026-01-01T18:00:00.000Z', '2026-01-02T18:00:00.000Z']);
    expect(formatFireTime(Date.parse('2026-01-01T18:00:00Z'), 'Asia/Tokyo')).toBe('2026-01-02 03:00 Asia/Tokyo');
  });

  it('a time in the spring-forward gap is skipped, as Scheduler documents', () => {
    // 2026-03-08 02:30 does not exist in New York.
    expect(next('cron(30 2 * * ? *)', '2026-03-07T00:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('a time that occurs twice at fall-back runs once', () => {
    // 2026-11-01 01:30 happens twice in New York; one run, at the first.
    expect(next('cron(30 1 * * ? *)', '2026-10-31T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  it('finds the previous and next fire time around a moment', () => {
    const nightly = parsed('cron(0 3 * * ? *)');
    const ctx = { timezone: 'Asia/Tokyo', anchor: 0 };
    expect(iso(previousFireTime(nightly, ctx, Date.parse('2026-01-02T12:00:00Z'))!)).toBe('2026-01-01T18:00:00.000Z');
    expect(iso(previousFireTime(nightly, ctx, Date.parse('2026-01-01T18:00:00Z'))!)).toBe('2026-01-01T18:00:00.000Z');
    expect(iso(nextFireTime(nightly, ctx, Date.parse('2026-01-01T18:00:00Z'))!)).toBe('2026-01-02T18:00:00.000Z');
  });
});

describe('schedule expressions: rate and at', () => {
  it('a rate fires from its anchor on, every period', () => {
    const every = parsed('rate(15 minutes)');
    const anchor = Date.parse('2026-01-01T00:07:00Z');
    expect(fireTimes(every, { timezone: 'UTC', anchor }, anchor - 1, anchor + 30 * 60_000).map(iso)).toEqual([
      '2026-01-01T00:07:00.000Z',
      '2026-01-01T00:22:00.000Z',
      '2026-01-01T00:37:00.000Z',
    ]);
    expect(iso(previousFireTime(every, { timezone: 'UTC', anchor }, anchor + 20 * 60_000)!)).toBe('2026-01-01T00:22:00.000Z');
  });

  it('at() fires once, at its local time in the schedule\'s zone', () => {
    const once = parsed('at(2026-01-02T03:00:00)');
    expect(fireTimes(once, { timezone: 'Asia/Tokyo', anchor: 0 }, 0, Date.parse('2027-01-01T00:00:00Z')).map(iso)).toEqual(['2026-01-01T18:00:00.000Z']);
  });
});

describe('schedule expressions: what AWS refuses is refused, with what is wrong', () => {
  it.each([
    ['0 3 * * ? *', 'expected cron(minutes hours day-of-month month day-of-week year), rate(value unit) or at(yyyy-mm-ddThh:mm:ss)'],
    ['cron(0 3 * * ?)', 'expected six fields (minutes hours day-of-month month day-of-week year), got 5 in cron(0 3 * * ?)'],
    ['cron(0 3 * * * *)', 'exactly one of day-of-month and day-of-week must be ?: AWS does not take both (use ? in the one you do not restrict)'],
    ['cron(0 3 ? * ? *)', 'exactly one of day-of-month and day-of-week must be ?: AWS does not take both (use ? in the one you do not restrict)'],
    ['cron(0 3 1 * MON *)', 'exactly one of day-of-month and day-of-week must be ?: AWS does not take both (use ? in the one you do not restrict)'],
    ['cron(60 3 * * ? *)', 'minutes field "60": expected 0-59, got 60'],
    ['cron(0 24 * * ? *)', 'hours field "24": expected 0-23, got 24'],
    ['cron(0 3 ? * 0 *)', 'day-of-week field "0": expected 1-7 or SUN-SAT, got 0'],
    ['cron(0 3 ? * 3#1,6#3 *)', 'day-of-week field "3#1,6#3": with #, day-of-week takes a single expression (3#1,6#3 is two)'],
    ['cron(0 3 * ? ? *)', 'month field "?": the ? wildcard is only allowed in day-of-month and day-of-week'],
    ['cron(0 3 * * ? 1969)', 'year field "1969": expected 1970-2199, got 1969'],
    ['cron(0 3 15W-2 * ? *)', 'day-of-month field "15W-2": expected a range of values 1-31, got 15W-2'],
    ['rate(1 minutes)', 'expected rate(1 minute): a value of 1 takes the singular unit'],
    ['rate(5 minute)', 'expected rate(5 minutes): a value above 1 takes the plural unit'],
    ['rate(0 minutes)', 'expected a rate of at least 1, got rate(0 minutes)'],
    ['rate(5 seconds)', 'expected rate(value unit) with a positive whole value and a unit of minutes, hours or days, got rate(5 seconds)'],
    ['at(2026-02-30T03:00:00)', 'at(2026-02-30T03:00:00) is not a date and time that exists'],
  ])('%s', (expression, message) => {
    expect(parseScheduleExpression(expression)).toEqual({ error: message });
  });

  it('checks IANA time zone names', () => {
    expect(checkTimezone('Asia/Tokyo')).toBeUndefined();
    expect(checkTimezone('UTC')).toBeUndefined();
    expect(checkTimezone('America/Argentina/Buenos_Aires')).toBeUndefined();
    expect(checkTimezone('Asia/Tokio')).toBe('expected an IANA time zone name such as Asia/Tokyo or UTC, got "Asia/Tokio"');
    expect(checkTimezone('asia/tokyo')).toBe('expected "Asia/Tokyo" (time zone names are case-sensitive), got "asia/tokyo"');
    expect(checkTimezone('JST')).toBe('expected an IANA time zone name such as Asia/Tokyo or UTC, got "JST" (an abbreviation is not one)');
  });
});

describe('what AWS refuses in a schedule expression, said exactly (no spec reaches EventBridge that AWS would refuse)', () => {
  it.each([
    ['rate(0 minutes)', 'expected a rate of at least 1, got rate(0 minutes)'],
    ['rate(1 hours)', 'expected rate(1 hour): a value of 1 takes the singular unit'],
    ['rate(5 day)', 'expected rate(5 days): a value above 1 takes the plural unit'],
    ['rate(5 weeks)', 'expected rate(value unit) with a positive whole value and a unit of minutes, hours or days, got rate(5 weeks)'],
    ['at(2026-02-30T00:00:00)', 'at(2026-02-30T00:00:00) is not a date and time that exists'],
    ['at(2026-01-01T24:00:00)', 'at(2026-01-01T24:00:00) is not a date and time that exists'],
    ['at(2026-01-01T00:60:00)', 'at(2026-01-01T00:60:00) is not a date and time that exists'],
    ['at(2026-01-01T00:00:60)', 'at(2026-01-01T00:00:60) is not a date and time that exists'],
    ['at(2026-1-01T00:00:00)', 'expected at(yyyy-mm-ddThh:mm:ss), got at(2026-1-01T00:00:00)'],
    ['cron()', 'expected six fields (minutes hours day-of-month month day-of-week year), got 0 in cron()'],
    ['cron(0 12 * * ?)', 'expected six fields (minutes hours day-of-month month day-of-week year), got 5 in cron(0 12 * * ?)'],
    ['cron(? 12 * * ? *)', 'minutes field "?": the ? wildcard is only allowed in day-of-month and day-of-week'],
    ['cron(0 12 * * * *)', 'exactly one of day-of-month and day-of-week must be ?: AWS does not take both (use ? in the one you do not restrict)'],
    ['cron(0 12 ? * ? *)', 'exactly one of day-of-month and day-of-week must be ?: AWS does not take both (use ? in the one you do not restrict)'],
    ['cron(0 12 ? * 3#1,6#3 *)', 'day-of-week field "3#1,6#3": with # day-of-week takes a single expression (3#1,6#3 is two)'.replace('with # day', 'with #, day')],
    ['cron(0 L * ? * *)', 'hours field "L": L is only allowed in day-of-month and day-of-week'],
    ['cron(0 12 32W * ? *)', 'day-of-month field "32W": expected a day 1-31 before W'],
    ['cron(0 5W * * ? *)', 'hours field "5W": W is only allowed in day-of-month'],
    ['cron(0 12 5L * ? *)', 'day-of-month field "5L": expected L on its own'],
    ['cron(0 12 ? * 8L *)', 'day-of-week field "8L": expected a day 1-7 or SUN-SAT before L'],
    ['cron(0 5L * * ? *)', 'hours field "5L": L is only allowed in day-of-month and day-of-week'],
    ['cron(0 12 1#2 * ? *)', 'day-of-month field "1#2": # is only allowed in day-of-week'],
    ['cron(0 12 ? * 2#6 *)', 'day-of-week field "2#6": expected day#n with a day 1-7 or SUN-SAT and n from 1 to 5, got 2#6'],
    ['cron(0 12 ? * 9#1 *)', 'day-of-week field "9#1": expected day#n with a day 1-7 or SUN-SAT and n from 1 to 5, got 9#1'],
    ['cron(0 12 ? * MON/2 *)', 'day-of-week field "MON/2": the / wildcard is not allowed in this field'],
    ['cron(0/0 12 * * ? *)', 'minutes field "0/0": expected a step of at least 1'],
    ['cron(60/5 12 * * ? *)', 'minutes field "60/5": expected a start value 0-59 before /, got 60'],
    ['cron(0 12 * 1-13 ? *)', 'month field "1-13": expected a range of values 1-12 or JAN-DEC, got 1-13'],
    ['cron(0 12 * 1-2-3 ? *)', 'month field "1-2-3": expected a range of values 1-12 or JAN-DEC, got 1-2-3'],
    ['cron(0 24 * * ? *)', 'hours field "24": expected 0-23, got 24'],
    ['cron(0 12 0 * ? *)', 'day-of-month field "0": expected 1-31, got 0'],
    ['cron(0 12 * * ? 1969)', 'year field "1969": expected 1970-2199, got 1969'],
    ['cron(0 12 * * ? 2200)', 'year field "2200": expected 1970-2199, got 2200'],
    ['cron(0 12 * FOO ? *)', 'month field "FOO": expected 1-12 or JAN-DEC, got FOO'],
  ])('%s: %s', (expression, error) => {
    expect(parseScheduleExpression(expression)).toStrictEqual({ error });
  });

  it.each([
    ['rate(1 minute)', { kind: 'rate', value: 1, unit: 'minute', periodMs: 60_000 }],
    ['rate(2 hours)', { kind: 'rate', value: 2, unit: 'hour', periodMs: 7_200_000 }],
    ['rate(3 days)', { kind: 'rate', value: 3, unit: 'day', periodMs: 259_200_000 }],
    [' rate( 10 minutes ) ', { kind: 'rate', value: 10, unit: 'minute', periodMs: 600_000 }],
    ['at(2028-02-29T23:59:59)', { kind: 'at', local: { year: 2028, month: 2, day: 29, hour: 23, minute: 59, second: 59 } }],
  ])('%s is taken', (expression, parsed) => {
    expect(parseScheduleExpression(expression)).toStrictEqual(parsed);
  });

  it.each(['cron(0 12 L * ? *)', 'cron(0 12 15W * ? *)', 'cron(0 12 ? * 6L *)', 'cron(0 12 ? * 3#1 *)', 'cron(*/15 0-23/2 1,15 JAN-DEC ? 1970-2199)', 'cron(5-10/5 12 ? * mon-fri *)', 'cron(0 12 ? * SUN,SAT *)', 'cron(0 0 1 12 ? 2199)', 'cron(59 23 31 12 ? 1970)'])('%s is a cron AWS takes', (expression) => {
    expect(parseScheduleExpression(expression)).toMatchObject({ kind: 'cron' });
  });
});
