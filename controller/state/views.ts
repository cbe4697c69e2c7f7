/**
 * What `steady status` and `steady history` show, from the state table alone (no ECS or Route 53
 * call): rows as JSON-able data for `--output json`, and aligned text for people, coloured only
 * when asked. Pure: the caller passes `now`.
 */
import pc from 'picocolors';
import { ConfigError } from '../errors.js';
import type { Phase } from '../model/plan.js';
import type { DriftRecord, PassRecord, StoredStatus } from './records.js';
import { describeMaintenance, type MaintenanceEvent } from '../model/maintenance.js';

export interface ViewOptions {
  /** Epoch ms the ages are counted to. */
  now: number;
  /** Colour the phases and outcomes (a person at a terminal). */
  color: boolean;
}

// ----------------------------------------------------------------------------------- formatting

/** `45s`, `3m`, `5h`, `12d`: the largest unit, rounded down, like kubectl's AGE. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** `850ms`, `20s`, `2m 10s`, `1h 5m`, `3d 4h`: two units at most. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

function ago(at: number, now: number): string {
  return `${formatAge(now - at)} ago`;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The start of a `--since` window: a duration back from `now` (`90m`, `24h`, `7d`, `2w`, `30s`)
 * or an ISO date (`2026-01-01`, `2026-01-01T09:00:00Z`). Throws ConfigError saying what it expects.
 *
 * @example
 * parseSince('24h'); // a day ago, in epoch ms
 * parseSince('2026-01-01', clock.now()); // midnight UTC
 */
export function parseSince(text: string, now: number = Date.now()): number {
  const value = text.trim();
  const expected = `--since: expected a duration such as 90m, 24h or 7d, or an ISO date such as 2026-01-01T00:00:00Z; got "${text}"`;
  const duration = /^(\d+)([smhdw])$/.exec(value);
  if (duration) {
    const n = Number(duration[1]);
    if (n === 0) throw new ConfigError(`--since: a duration must be more than zero; got "${text}"`);
    return now - n * UNITS[duration[2]];
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) throw new ConfigError(expected);
  // A date without a zone is read as UTC, so the same command means the same window everywhere.
  const withZone = /[T ]\d{2}:\d{2}/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value.replace(' ', 'T')}Z` : value.replace(' ', 'T');
  const at = Date.parse(withZone);
  if (Number.isNaN(at)) throw new ConfigError(`--since: "${text}" is not a valid date`);
  if (at > now) throw new ConfigError(`--since: ${new Date(at).toISOString()} is in the future`);
  return at;
}

/** Lays rows out in columns two spaces apart; `paint` colours a cell after padding. */
function table(header: string[], rows: string[][], paint: (row: number, col: number, cell: string) => string = (_r, _c, s) => s): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[], row: number) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .map((c, i) => (row < 0 ? c : paint(row, i, c)))
      .join('  ')
      .trimEnd();
  return [line(header, -1), ...rows.map((r, i) => line(r, i))];
}

function phaseColor(colors: ReturnType<typeof pc.createColors>, phase: Phase): (s: string) => string {
  switch (phase) {
    case 'Synced':
      return colors.green;
    case 'Drifted':
    case 'Progressing':
      return colors.yellow;
    case 'Blocked':
    case 'Failed':
      return colors.red;
  }
}

// --------------------------------------------------------------------------------------- status

/** One line of `steady status --output json`. */
export interface StatusRow {
  environment: string;
  resource: string;
  kind: StoredStatus['kind'];
  name: string;
  phase: Phase;
  reason: string;
  message: string;
  /** When the phase last changed (ISO) and how long ago. */
  since: string;
  age: string;
  /** The spec hash the status was computed for (observedGeneration). */
  specHash: string;
  diff: StoredStatus['diff'];
  notes?: string[];
  lastError?: { message: string; awsName?: string; what: string; at: string; age: string };
  /** The pass that last recorded this status, and when. */
  passId: string;
  updatedAt: string;
}

const KIND_ORDER: Record<StoredStatus['kind'], number> = { Migration: 0, Service: 1, ScheduledTask: 2, AliasRecord: 3, Maintenance: 4, Wiring: 5 };

/** Statuses as rows: by environment, then migrations, services, scheduled tasks, aliases, each by name. */
export function statusRows(statuses: StoredStatus[], now: number): StatusRow[] {
  return [...statuses]
    .sort((a, b) => a.environment.localeCompare(b.environment) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name))
    .map((s) => ({
      environment: s.environment,
      resource: s.resource,
      kind: s.kind,
      name: s.name,
      phase: s.phase,
      reason: s.reason,
      message: s.message,
      since: new Date(s.lastTransitionTime).toISOString(),
      age: ago(s.lastTransitionTime, now),
      specHash: s.specHash,
      diff: s.diff,
      ...(s.notes?.length ? { notes: s.notes } : {}),
      ...(s.lastError
        ? { lastError: { message: s.lastError.message, awsName: s.lastError.awsName, what: s.lastError.what, at: new Date(s.lastError.at).toISOString(), age: ago(s.lastError.at, now) } }
        : {}),
      passId: s.passId,
      updatedAt: new Date(s.updatedAt).toISOString(),
    }));
}

/** A Maintenance's state in `steady status --output json`: on or off, by what, who, why, since and until when (ISO times). */
function maintenanceJson(m: StoredStatus['maintenance']) {
  if (!m) return {};
  const iso = (ms: number | undefined) => (ms !== undefined ? new Date(ms).toISOString() : undefined);
  const { state, source, by, reason } = m;
  return {
    maintenance: { state, ...(source ? { source } : {}), ...(m.since !== undefined ? { since: iso(m.since) } : {}), ...(by ? { by } : {}), ...(reason ? { reason } : {}), ...(m.until !== undefined ? { until: iso(m.until) } : {}) },
  };
}

/** Statuses for `steady status --output json`: the rows without the "5m ago" strings (times are ISO 8601 UTC). */
export function statusJson(statuses: StoredStatus[], now: number) {
  const byResource = new Map(statuses.map((s) => [`${s.environment} ${s.resource}`, s]));
  return statusRows(statuses, now).map(({ age: _age, lastError, ...row }) => ({
    ...row,
    ...maintenanceJson(byResource.get(`${row.environment} ${row.resource}`)?.maintenance),
    ...(lastError ? { lastError: { message: lastError.message, ...(lastError.awsName ? { awsName: lastError.awsName } : {}), what: lastError.what, at: lastError.at } } : {}),
  }));
}

/**
 * `steady status`: every resource with its phase, reason, how long it has been so, and what is
 * wrong; the last error under a resource that is not Synced. The ENVIRONMENT column appears when
 * more than one environment is shown.
 *
 * @example
 * out.line(renderStatus(await store.loadStatuses(env), { now: Date.now(), color: isTTY }));
 */
export function renderStatus(statuses: StoredStatus[], options: ViewOptions): string {
  if (statuses.length === 0) return 'No status recorded yet: no pass has saved its results to the state table.';
  const colors = pc.createColors(options.color);
  const rows = statusRows(statuses, options.now);
  const many = new Set(rows.map((r) => r.environment)).size > 1;
  const header = [...(many ? ['ENVIRONMENT'] : []), 'RESOURCE', 'PHASE', 'REASON', 'SINCE', 'MESSAGE'];
  const cells = rows.map((r) => [...(many ? [r.environment] : []), r.resource, r.phase, r.reason, r.age, r.message]);
  const phaseCol = many ? 2 : 1;
  const lines = table(header, cells, (row, col, cell) => (col === phaseCol ? phaseColor(colors, rows[row].phase)(cell) : cell));
  const out = [colors.bold(lines[0])];
  rows.forEach((r, i) => {
    out.push(lines[i + 1]);
    if (r.lastError && r.phase !== 'Synced') {
      out.push(colors.dim(`    last error ${r.lastError.age}: ${r.lastError.what}: ${r.lastError.message}`));
    }
  });
  return out.join('\n');
}

// -------------------------------------------------------------------------------------- history

/** One pass in `steady history --output json`. */
export interface PassRow {
  passId: string;
  environment: string;
  startedAt: string;
  age: string;
  outcome: PassRecord['outcome'];
  /** What the pass was (model/outcome.ts); absent for passes recorded before it was kept. */
  verdict?: PassRecord['verdict'];
  mode: PassRecord['mode'];
  dryRun: boolean;
  durationMs: number;
  duration: string;
  actions: PassRecord['actions'];
  drift: PassRecord['drift'];
  apiCallCount: number;
  apiCalls: Record<string, number>;
  specVersion?: string;
  error?: string;
  interrupted?: PassRecord['interrupted'];
  failures: PassRecord['failures'];
}

/** One drift event in `steady history --output json`. */
export interface DriftRow {
  environment: string;
  resource: string;
  key: string;
  summary: string;
  detectedAt: string;
  age: string;
  /** ISO time it was healed (or stopped being seen); absent while open. */
  healedAt?: string;
  resolution: 'healed' | 'gone' | 'open';
  timeToHealMs?: number;
  timeToHeal?: string;
  diff: DriftRecord['diff'];
}

export interface HistoryView {
  passes: PassRow[];
  drift: DriftRow[];
}

/** Passes and drift as rows, newest first. */
export function historyView(passes: PassRecord[], drift: DriftRecord[], now: number): HistoryView {
  return {
    passes: [...passes]
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((p) => ({
        passId: p.passId,
        environment: p.environment,
        startedAt: new Date(p.startedAt).toISOString(),
        age: ago(p.startedAt, now),
        outcome: p.outcome,
        ...(p.verdict ? { verdict: p.verdict } : {}),
        mode: p.mode,
        dryRun: p.dryRun,
        durationMs: p.durationMs,
        duration: formatDuration(p.durationMs),
        actions: p.actions,
        drift: p.drift,
        apiCallCount: p.apiCallCount,
        apiCalls: p.apiCalls,
        ...(p.specVersion ? { specVersion: p.specVersion } : {}),
        ...(p.error ? { error: p.error } : {}),
        ...(p.interrupted ? { interrupted: p.interrupted } : {}),
        failures: p.failures,
      })),
    drift: [...drift]
      .sort((a, b) => b.detectedAt - a.detectedAt)
      .map((d) => ({
        environment: d.environment,
        resource: d.resource,
        key: d.key,
        summary: d.summary,
        detectedAt: new Date(d.detectedAt).toISOString(),
        age: ago(d.detectedAt, now),
        ...(d.healedAt !== undefined ? { healedAt: new Date(d.healedAt).toISOString() } : {}),
        resolution: d.resolution ?? 'open',
        ...(d.timeToHealMs !== undefined ? { timeToHealMs: d.timeToHealMs, timeToHeal: formatDuration(d.timeToHealMs) } : {}),
        diff: d.diff,
      })),
  };
}

/** Passes and drift for `steady history --output json`: ISO times and milliseconds, no "ago" or "2m 10s" strings. */
export function historyJson(passes: PassRecord[], drift: DriftRecord[], now: number, maintenance: MaintenanceEvent[] = []) {
  const view = historyView(passes, drift, now);
  const isoOf = (ms: number | undefined) => (ms !== undefined ? new Date(ms).toISOString() : undefined);
  return {
    passes: view.passes.map(({ age: _age, duration: _duration, ...p }) => p),
    drift: view.drift.map(({ age: _age, timeToHeal: _timeToHeal, ...d }) => d),
    ...(maintenance.length > 0
      ? { maintenance: maintenance.map(({ at, until, ...e }) => ({ ...e, at: isoOf(at)!, ...(until !== undefined ? { until: isoOf(until) } : {}), summary: maintenanceSwitch(e.name, { ...e, until }) })) }
      : {}),
  };
}

/** `maintenance shop on by command (alice: DB upgrade) until 2026-01-01 02:00 UTC`, `maintenance shop off`. */
export function maintenanceSwitch(name: string, e: Pick<MaintenanceEvent, 'switched' | 'source' | 'by' | 'reason' | 'until'>): string {
  return `maintenance ${name} ${describeMaintenance({ state: e.switched, source: e.source, by: e.by, reason: e.reason, until: e.until })}`;
}

function actionsCell(a: PassRecord['actions']): string {
  if (a.planned === 0 && a.done + a.failed + a.blocked + a.held + a.pending === 0) return 'none';
  const parts = (['done', 'failed', 'blocked', 'held', 'pending'] as const).filter((k) => a[k] > 0).map((k) => `${a[k]} ${k}`);
  return `${a.planned} planned${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * `steady history`: passes (outcome, duration, actions, drift, API calls, spec version), then
 * drift events with when they were healed and how long healing took.
 *
 * @example
 * out.line(renderHistory(await store.listPasses(env, since), await store.listDrift(env, since), { now, color }));
 */
export function renderHistory(passes: PassRecord[], drift: DriftRecord[], options: ViewOptions, maintenance: MaintenanceEvent[] = []): string {
  const colors = pc.createColors(options.color);
  const view = historyView(passes, drift, options.now);
  const out: string[] = [];

  out.push(colors.bold(`Passes (${view.passes.length})`));
  if (view.passes.length === 0) out.push('  none in this window');
  else {
    // The verdict, the word the exit code and the alarms go by; a pass recorded before verdicts were kept shows its outcome.
    const bad = new Set(['failed', 'unknown', 'unrepaired']);
    const colorOf = (p: PassRow) => (p.outcome === 'skipped' || p.verdict === 'interrupted' ? colors.yellow : bad.has(p.verdict ?? p.outcome) ? colors.red : colors.green);
    const lines = table(
      ['STARTED', 'ENVIRONMENT', 'VERDICT', 'DURATION', 'ACTIONS', 'DRIFT', 'API CALLS', 'SPEC'],
      view.passes.map((p) => [
        p.age,
        p.environment,
        p.dryRun ? `${p.verdict ?? p.outcome} (dry run)` : p.mode === 'observe' && p.verdict !== 'drifted' ? `${p.verdict ?? p.outcome} (observe)` : (p.verdict ?? p.outcome),
        p.duration,
        actionsCell(p.actions),
        p.drift.detected === 0 ? '-' : `${p.drift.detected} seen, ${p.drift.healed} healed`,
        String(p.apiCallCount),
        p.specVersion ?? '-',
      ]),
      (row, col, cell) => (col === 2 ? colorOf(view.passes[row])(cell) : cell),
    );
    out.push(colors.bold(lines[0]));
    view.passes.forEach((p, i) => {
      out.push(lines[i + 1]);
      if (p.error) out.push(colors.dim(`    ${p.error}`));
      for (const f of p.failures) out.push(colors.dim(`    failed: ${f.summary}${f.message ? `: ${f.message}` : ''}`));
    });
  }

  out.push('', colors.bold(`Drift (${view.drift.length})`));
  if (view.drift.length === 0) out.push('  none in this window');
  else {
    const lines = table(
      ['DETECTED', 'ENVIRONMENT', 'RESOURCE', 'HEALED', 'TIME TO HEAL', 'SUMMARY'],
      view.drift.map((d) => [
        d.age,
        d.environment,
        d.resource,
        d.resolution === 'open' ? 'open' : `${d.resolution === 'healed' ? 'healed' : 'gone'} ${ago(Date.parse(d.healedAt!), options.now)}`,
        d.timeToHeal ?? '-',
        d.summary,
      ]),
      (row, col, cell) => (col === 3 ? (view.drift[row].resolution === 'open' ? colors.yellow(cell) : colors.green(cell)) : cell),
    );
    out.push(colors.bold(lines[0]), ...lines.slice(1));
  }
  if (maintenance.length > 0) {
    out.push('', colors.bold(`Maintenance switches (${maintenance.length})`));
    const lines = table(
      ['WHEN', 'ENVIRONMENT', 'SWITCH'],
      maintenance.map((e) => [ago(e.at, options.now), e.environment, maintenanceSwitch(e.name, e)]),
      (row, col, cell) => (col === 2 ? (maintenance[row].switched === 'on' ? colors.yellow(cell) : colors.green(cell)) : cell),
    );
    out.push(colors.bold(lines[0]), ...lines.slice(1));
  }
  return out.join('\n');
}
