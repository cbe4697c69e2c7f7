/**
 * EventBridge Scheduler's schedule expressions: `cron(...)`, `rate(...)` and `at(...)`, checked
 * with AWS's own rules and evaluated to fire times. Pure: the spec schema validates with it, the
 * planner works out which run was due, and the simulated account fires schedules with it.
 *
 * AWS's cron has six fields, `minutes hours day-of-month month day-of-week year`, with
 * day-of-week 1-7 = SUN-SAT and exactly one of day-of-month and day-of-week a `?`. Next and
 * previous fire times come from croner (Quartz weekday numbering, a year field, `L`, `W`, `#`);
 * what croner spells differently (`5L`, a bare `L` for the last day of the week, ranges that wrap
 * such as `20-2` or `FRI-MON`) is rewritten first. Daylight saving time as AWS documents it for
 * Scheduler: a time that falls in the spring-forward gap is skipped, a time that occurs twice runs
 * once.
 */
import { Cron } from 'croner';

/** A schedule expression taken apart. */
export type ScheduleExpression =
  | { kind: 'cron'; fields: CronFields }
  | { kind: 'rate'; value: number; unit: 'minute' | 'hour' | 'day'; periodMs: number }
  | { kind: 'at'; local: { year: number; month: number; day: number; hour: number; minute: number; second: number } };

export interface CronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Wildcards AWS allows in this field besides `, - * /`... as AWS's table lists them. */
  wildcards: string;
  names?: string[];
}

const FIELD_RULES: FieldRule[] = [
  { name: 'minutes', min: 0, max: 59, wildcards: ', - * /' },
  { name: 'hours', min: 0, max: 23, wildcards: ', - * /' },
  { name: 'day-of-month', min: 1, max: 31, wildcards: ', - * ? / L W' },
  { name: 'month', min: 1, max: 12, wildcards: ', - * /', names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, wildcards: ', - * ? L #', names: DAYS },
  { name: 'year', min: 1970, max: 2199, wildcards: ', - * /' },
];

/** Parses and checks an expression; returns what is wrong with it as a sentence, or the parsed form. */
export function parseScheduleExpression(expression: string): ScheduleExpression | { error: string } {
  const m = /^(cron|rate|at)\((.*)\)$/s.exec(expression.trim());
  if (!m) return { error: 'expected cron(minutes hours day-of-month month day-of-week year), rate(value unit) or at(yyyy-mm-ddThh:mm:ss)' };
  const [, kind, body] = m;
  if (kind === 'rate') return parseRate(body);
  if (kind === 'at') return parseAt(body);
  return parseCron(body);
}

function parseRate(body: string): ScheduleExpression | { error: string } {
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!m) return { error: `expected rate(value unit) with a positive whole value and a unit of minutes, hours or days, got rate(${body})` };
  const value = Number(m[1]);
  const plural = m[2].endsWith('s');
  const unit = m[2].replace(/s$/, '') as 'minute' | 'hour' | 'day';
  if (value < 1) return { error: `expected a rate of at least 1, got rate(${body})` };
  if (value === 1 && plural) return { error: `expected rate(1 ${unit}): a value of 1 takes the singular unit` };
  if (value > 1 && !plural) return { error: `expected rate(${value} ${unit}s): a value above 1 takes the plural unit` };
  const unitMs = unit === 'minute' ? 60_000 : unit === 'hour' ? 3_600_000 : 86_400_000;
  return { kind: 'rate', value, unit, periodMs: value * unitMs };
}

function parseAt(body: string): ScheduleExpression | { error: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) return { error: `expected at(yyyy-mm-ddThh:mm:ss), got at(${body})` };
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return { error: `at(${body}) is not a date and time that exists` };
  }
  return { kind: 'at', local: { year, month, day, hour, minute, second } };
}

function parseCron(body: string): ScheduleExpression | { error: string } {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6 || parts[0] === '') {
    return { error: `expected six fields (minutes hours day-of-month month day-of-week year), got ${parts[0] === '' ? 0 : parts.length} in cron(${body})` };
  }
  for (const [i, rule] of FIELD_RULES.entries()) {
    const problem = checkField(parts[i], rule);
    if (problem) return { error: `${rule.name} field "${parts[i]}": ${problem}` };
  }
  const [dom, dow] = [parts[2], parts[4]];
  if ((dom === '?') === (dow === '?')) {
    return { error: 'exactly one of day-of-month and day-of-week must be ?: AWS does not take both (use ? in the one you do not restrict)' };
  }
  const fields: CronFields = { minutes: parts[0], hours: parts[1], dayOfMonth: dom, month: parts[3], dayOfWeek: dow, year: parts[5] };
  try {
    cronOf(fields, 'UTC');
  } catch (err) {
    return { error: `cron(${body}): ${(err as Error).message}` };
  }
  return { kind: 'cron', fields };
}

/** What is wrong with one cron field under AWS's rules, or undefined. */
function checkField(field: string, rule: FieldRule): string | undefined {
  const allowed = rule.wildcards.split(' ');
  if (field === '?') return allowed.includes('?') ? undefined : 'the ? wildcard is only allowed in day-of-month and day-of-week';
  const items = field.split(',');
  if (rule.name === 'day-of-week' && field.includes('#') && items.length > 1) {
    return 'with #, day-of-week takes a single expression (3#1,6#3 is two)';
  }
  for (const item of items) {
    const problem = checkItem(item, rule);
    if (problem) return problem;
  }
  return undefined;
}

function checkItem(item: string, rule: FieldRule): string | undefined {
  const value = (s: string): number | undefined => {
    const named = rule.names?.indexOf(s.toUpperCase()) ?? -1;
    if (named >= 0) return named + 1;
    return /^\d+$/.test(s) ? Number(s) : undefined;
  };
  const inRange = (s: string) => {
    const v = value(s);
    return v !== undefined && v >= rule.min && v <= rule.max;
  };
  const range = `${rule.min}-${rule.max}${rule.names ? ` or ${rule.names[0]}-${rule.names[rule.names.length - 1]}` : ''}`;
  const has = (w: string) => rule.wildcards.split(' ').includes(w);
  if (item === '*') return undefined;
  if (item === 'L') return has('L') ? undefined : 'L is only allowed in day-of-month and day-of-week';
  if (/W$/.test(item)) return has('W') && inRange(item.slice(0, -1)) ? undefined : has('W') ? `expected a day ${range} before W` : 'W is only allowed in day-of-month';
  if (/L$/.test(item)) return has('L') && rule.name === 'day-of-week' && inRange(item.slice(0, -1)) ? undefined : has('L') ? `expected ${rule.name === 'day-of-week' ? `a day ${range} before L` : 'L on its own'}` : 'L is only allowed in day-of-month and day-of-week';
  if (item.includes('#')) {
    const [d, n] = item.split('#');
    if (!has('#')) return '# is only allowed in day-of-week';
    return inRange(d) && /^[1-5]$/.test(n) ? undefined : `expected day#n with a day ${range} and n from 1 to 5, got ${item}`;
  }
  const step = /^(.+)\/(\d+)$/.exec(item);
  if (step) {
    if (!has('/')) return 'the / wildcard is not allowed in this field';
    if (Number(step[2]) < 1) return 'expected a step of at least 1';
    if (step[1] !== '*' && !inRange(step[1]) && !isRange(step[1], inRange)) return `expected a start value ${range} before /, got ${step[1]}`;
    return undefined;
  }
  if (item.includes('-')) return isRange(item, inRange) ? undefined : `expected a range of values ${range}, got ${item}`;
  return inRange(item) ? undefined : `expected ${range}, got ${item}`;
}

function isRange(s: string, inRange: (s: string) => boolean): boolean {
  const parts = s.split('-');
  return parts.length === 2 && inRange(parts[0]) && inRange(parts[1]);
}

/** Checks an IANA time zone name; returns what is wrong with it, or undefined. */
export function checkTimezone(name: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return `expected an IANA time zone name such as Asia/Tokyo or UTC, got "${name}"`;
  }
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return `expected "${resolved}" (time zone names are case-sensitive), got "${name}"`;
  // Intl also takes abbreviations (JST, EST) that are no IANA names: AWS wants Region/City.
  const iana = name === 'UTC' || name === 'GMT' || name.includes('/') || Intl.supportedValuesOf('timeZone').includes(name);
  return iana ? undefined : `expected an IANA time zone name such as Asia/Tokyo or UTC, got "${name}" (an abbreviation is not one)`;
}

// ---------------------------------------------------------------------------------------------
// Fire times

/** croner's pattern for AWS's fields: seconds first, Quartz weekdays, `?` as `*`, wrapping ranges spelt out. */
function cronOf(fields: CronFields, timezone: string): Cron {
  const dow = rewrite(fields.dayOfWeek, FIELD_RULES[4])
    .split(',')
    .map((item) => (item === 'L' ? '7' : /^\d+L$/.test(item) ? `${item.slice(0, -1)}#L` : item))
    .join(',');
  const pattern = [
    '0',
    rewrite(fields.minutes, FIELD_RULES[0]),
    rewrite(fields.hours, FIELD_RULES[1]),
    fields.dayOfMonth === '?' ? '*' : fields.dayOfMonth,
    rewrite(fields.month, FIELD_RULES[3]),
    fields.dayOfWeek === '?' ? '*' : dow,
    rewrite(fields.year, FIELD_RULES[5]),
  ].join(' ');
  return new Cron(pattern, { mode: '7-part', alternativeWeekdays: true, domAndDow: true, sloppyRanges: true, timezone });
}

/** Names to numbers, and ranges that wrap past the field's end (`20-2`, `FRI-MON`) as lists. */
function rewrite(field: string, rule: FieldRule): string {
  if (field === '?') return '*';
  const num = (s: string) => {
    const named = rule.names?.indexOf(s.toUpperCase()) ?? -1;
    return named >= 0 ? String(named + 1) : s;
  };
  return field
    .split(',')
    .map((item) => {
      const m = /^([A-Za-z0-9]+)-([A-Za-z0-9]+)(?:\/(\d+))?$/.exec(item);
      if (!m) return item.replace(/[A-Za-z]{3}/g, (s) => num(s));
      const [from, to, step] = [Number(num(m[1])), Number(num(m[2])), Number(m[3] ?? 1)];
      if (from <= to) return `${from}-${to}${m[3] ? `/${step}` : ''}`;
      // A range that wraps (hours 20-2) runs on past the field's end and starts again at its beginning.
      const span = rule.max - rule.min + 1;
      const count = ((to - from + span) % span) + 1;
      const values: number[] = [];
      for (let i = 0; i < count; i += step) values.push(rule.min + ((from - rule.min + i) % span));
      return values.join(',');
    })
    .join(',');
}

/** The local wall-clock parts of an instant in a time zone. */
function localParts(at: number, timezone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    .formatToParts(new Date(at))
    .reduce<Record<string, number>>((acc, p) => (p.type === 'literal' ? acc : { ...acc, [p.type]: Number(p.value) }), {});
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** The instant a local wall-clock time names in a time zone (the first, when it occurs twice), or undefined in a DST gap. */
export function instantOf(local: { year: number; month: number; day: number; hour: number; minute: number; second: number }, timezone: string): number | undefined {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  // Every UTC offset in use is a whole hour from -12 to +14, or that plus 30 or 45 minutes.
  const offsets = Array.from({ length: 29 }, (_, i) => i - 14).flatMap((h) => [0, 30, 45].map((m) => (h * 60 + m) * 60_000));
  const candidates = offsets
    .map((offset) => guess - offset)
    .filter((t) => {
      const p = localParts(t, timezone);
      return p.year === local.year && p.month === local.month && p.day === local.day && p.hour === local.hour && p.minute === local.minute && p.second === local.second;
    })
    .sort((a, b) => a - b);
  return candidates[0];
}

/** Where a recurring schedule counts from: when it starts (its StartDate, else when it was created or last changed). */
export interface FireContext {
  timezone: string;
  /** Rate schedules fire at `anchor`, `anchor + period`, ...; cron and at ignore it. */
  anchor: number;
}

/**
 * Fire times in `(after, until]`, oldest first, at most `limit` of them.
 *
 * @example
 * fireTimes(parsed, { timezone: 'Asia/Tokyo', anchor: created }, now - 86_400_000, now) // the last day's
 */
export function fireTimes(expression: ScheduleExpression, context: FireContext, after: number, until: number, limit = 100): number[] {
  const out: number[] = [];
  if (expression.kind === 'at') {
    const at = instantOf(expression.local, context.timezone);
    return at !== undefined && at > after && at <= until ? [at] : [];
  }
  if (expression.kind === 'rate') {
    const { periodMs } = expression;
    let k = Math.max(0, Math.floor((after - context.anchor) / periodMs) + 1);
    for (let t = context.anchor + k * periodMs; t <= until && out.length < limit; k++, t = context.anchor + k * periodMs) if (t > after) out.push(t);
    return out;
  }
  const cron = cronOf(expression.fields, context.timezone);
  let from = new Date(after);
  while (out.length < limit) {
    const next = cron.nextRun(from);
    if (!next || next.getTime() > until) break;
    from = next;
    // croner moves a time in the spring-forward gap to after it; Scheduler skips it.
    if (cron.match(next)) out.push(next.getTime());
  }
  return out;
}

/** The latest fire time at or before `at`, looking back at most `lookBackMs` (default 400 days). */
export function previousFireTime(expression: ScheduleExpression, context: FireContext, at: number, lookBackMs = 400 * 86_400_000): number | undefined {
  if (expression.kind === 'rate') {
    if (at < context.anchor) return undefined;
    return context.anchor + Math.floor((at - context.anchor) / expression.periodMs) * expression.periodMs;
  }
  if (expression.kind === 'at') {
    const t = instantOf(expression.local, context.timezone);
    return t !== undefined && t <= at ? t : undefined;
  }
  const cron = cronOf(expression.fields, context.timezone);
  const found = cron.previousRuns(3, new Date(at + 1)).map((d) => d.getTime());
  return found.find((t) => t <= at && t >= at - lookBackMs && cron.match(new Date(t)));
}

/** The first fire time after `at`, if any within `lookAheadMs` (default 400 days). */
export function nextFireTime(expression: ScheduleExpression, context: FireContext, at: number, lookAheadMs = 400 * 86_400_000): number | undefined {
  return fireTimes(expression, context, at, at + lookAheadMs, 1)[0];
}

/** `2026-01-02 03:00 Asia/Tokyo`: a fire time as people read it, in the schedule's time zone. */
export function formatFireTime(at: number, timezone: string): string {
  const p = localParts(at, timezone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)} ${timezone}`;
}
