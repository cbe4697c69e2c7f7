/**
 * Maintenance as plain data and pure functions: what a Maintenance switches in a CloudFront
 * distribution's configuration and back, the restore record kept on the distribution (tags) and in
 * the state table, and the fixed-response rule an ALB listener answers with. Shared by the planner
 * (what to do), the executor (applied to the configuration read just before the update) and the
 * wiring checks (is this listener answering the maintenance page?).
 *
 * The rule for CloudFront (`model/carryover.ts`): UpdateDistribution replaces the configuration
 * whole, so maintenance sends the configuration as read with only its own fields changed: the
 * `TargetOriginId` of the switched behaviours and the custom error responses of its error codes.
 * Every other field travels back byte for byte.
 */
import { carryOver } from './carryover.js';
import type { ListenerRule, Tags } from './aws.js';
import type { FieldDiff } from './plan.js';
import type { MaintenanceCloudFrontSpec, MaintenanceDoc, MaintenanceLoadBalancerSpec } from '../spec/schema.js';

/** A CloudFront DistributionConfig as GetDistributionConfig returns it (JSON), fields steady does not know included. */
export type DistributionConfigDoc = Record<string, any>;

/** One custom error response, in CloudFront's terms. */
export interface ErrorResponseDoc {
  ErrorCode: number;
  ResponsePagePath?: string;
  ResponseCode?: string;
  ErrorCachingMinTTL?: number;
}

/** On a distribution in maintenance: who switched it, and since when (`Maintenance/<name> env=<env> source=<source> since=<ISO>`). */
export const TAG_MAINTENANCE = 'steady:maintenance';
/** On a distribution in maintenance: what it had before (the restore record, base64 JSON, cut into tags of 256 characters). */
export const TAG_MAINTENANCE_BEFORE = 'steady:maintenance-before';
/** Most parts the restore record may take (each a tag; a distribution holds at most 50). */
export const MAX_RESTORE_PARTS = 20;
const TAG_VALUE_MAX = 256;

/** Who turned maintenance on. */
export type MaintenanceSource = 'spec' | 'command' | 'automatic';

/** Maintenance as it stands for one Maintenance resource: on (who, why, since, until when) or off. */
export interface MaintenanceState {
  state: 'on' | 'off';
  source?: MaintenanceSource;
  /** Epoch ms it went on. */
  since?: number;
  /** Who turned it on by command. */
  by?: string;
  /** Why (the command's --reason, or what the automatic mode saw). */
  reason?: string;
  /** Epoch ms a command's window ends. */
  until?: number;
}

/** The automatic mode's memory: whether it switched maintenance on, its counters and its switches. */
export interface AutomaticState {
  /** Maintenance is on because the automatic mode switched it on. */
  active: boolean;
  /** When it switched on (while active). */
  since?: number;
  /** What it saw when it switched on. */
  reason?: string;
  /** Passes in a row the watched chains were broken / Ready. */
  brokenPasses: number;
  readyPasses: number;
  /** When it switched on within the last hour (the cap). */
  switchesOn: number[];
  /** Its last switch, on or off (the hold times); a command's `off` counts too. */
  lastSwitchAt?: number;
}

/** A window set by `steady maintenance on`: who, why, when, until when. */
export interface MaintenanceOverride {
  by: string;
  reason: string;
  at: number;
  until: number;
}

/**
 * What the state table remembers of one Maintenance between passes. Losing it costs the command's
 * window and the automatic counters, never the way back: the restore record is on the distribution.
 */
export interface MaintenanceMemory {
  name: string;
  override?: MaintenanceOverride;
  automatic?: AutomaticState;
  /** A copy of the distribution's restore record (its tags are the first source). */
  restore?: { distribution: string; record: DistributionRestore; savedAt: number };
  /** What the last pass left in place. */
  last?: MaintenanceState;
}

/** One switch, for history: on or off, by what, and what the state is now. */
export interface MaintenanceEvent {
  environment: string;
  name: string;
  at: number;
  switched: 'on' | 'off';
  source?: MaintenanceSource;
  by?: string;
  reason?: string;
  until?: number;
  passId?: string;
}

/**
 * What maintenance replaced in a distribution, to put back when it ends: each switched behaviour's
 * origin, and each error code's custom error response (null: there was none). `origin` and `page`
 * say what maintenance put there, so a change made by hand during maintenance is recognised and kept.
 */
export interface DistributionRestore {
  behaviors: Record<string, string>;
  errorResponses: Record<string, ErrorResponseDoc | null>;
  origin?: string;
  page?: ErrorResponseDoc;
}

/** `2026-01-01 09:00 UTC`. */
export function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `on by command (alice: DB upgrade) since 2026-01-01 09:00 UTC until 2026-01-01 11:00 UTC`, `on by spec since ...`, `off`. */
export function describeMaintenance(s: MaintenanceState): string {
  if (s.state === 'off') return 'off';
  const since = s.since !== undefined ? ` since ${utcMinute(s.since)}` : '';
  switch (s.source) {
    case 'command':
      return `on by command (${s.by}: ${s.reason})${since}${s.until !== undefined ? ` until ${utcMinute(s.until)}` : ''}`;
    case 'automatic':
      return `on automatically${since}${s.reason ? ` (${s.reason})` : ''}`;
    default:
      return `on by spec${since}`;
  }
}

/**
 * Whether a Maintenance's planned change is a switch (off to on, or on to off: history keeps it as
 * a maintenance switch, not as drift) rather than a repair of a half-switched entry point. Its
 * first diff line says `maintenance: <what is in place> -> <what is wanted>`.
 */
export function isSwitch(status: { kind: string; diff: FieldDiff[]; maintenance?: MaintenanceState }): boolean {
  const first = status.diff[0];
  if (status.kind !== 'Maintenance' || first?.path !== 'maintenance' || !status.maintenance) return false;
  return first.before === (status.maintenance.state === 'on' ? 'off' : 'on');
}

/** `*` is the default cache behaviour. */
export const DEFAULT_BEHAVIOR = '*';

/** A cache behaviour's `TargetOriginId` as a path into the configuration. */
interface BehaviourRef {
  pattern: string;
  path: string;
  origin: string;
}

/** The behaviours of a configuration (the default one as `*`), with where their origin is. */
export function behaviours(config: DistributionConfigDoc): BehaviourRef[] {
  const items: any[] = config.CacheBehaviors?.Items ?? [];
  return [
    { pattern: DEFAULT_BEHAVIOR, path: 'DefaultCacheBehavior.TargetOriginId', origin: config.DefaultCacheBehavior?.TargetOriginId },
    ...items.map((b, i) => ({ pattern: b.PathPattern as string, path: `CacheBehaviors.Items.${i}.TargetOriginId`, origin: b.TargetOriginId as string })),
  ];
}

/** The behaviours a Maintenance switches (all, or the patterns it names) and the patterns the distribution does not have. */
export function switchedBehaviours(config: DistributionConfigDoc, cf: MaintenanceCloudFrontSpec): { found: BehaviourRef[]; missing: string[] } {
  if (!cf.origin) return { found: [], missing: [] };
  const all = behaviours(config);
  if (!cf.behaviors) return { found: all, missing: [] };
  return { found: all.filter((b) => cf.behaviors!.includes(b.pattern)), missing: cf.behaviors.filter((p) => !all.some((b) => b.pattern === p)) };
}

/** The custom error response maintenance puts in for one error code. */
export function maintenancePage(cf: MaintenanceCloudFrontSpec, code: number): ErrorResponseDoc | undefined {
  const e = cf.errorResponse;
  return e && { ErrorCode: code, ResponsePagePath: e.pagePath, ResponseCode: String(e.responseCode), ErrorCachingMinTTL: e.cacheSeconds };
}

function samePage(a: ErrorResponseDoc | undefined | null, b: ErrorResponseDoc | undefined | null): boolean {
  return !!a && !!b && a.ResponsePagePath === b.ResponsePagePath && String(a.ResponseCode ?? '') === String(b.ResponseCode ?? '') && (a.ErrorCachingMinTTL ?? 0) === (b.ErrorCachingMinTTL ?? 0);
}

const errorItems = (config: DistributionConfigDoc): ErrorResponseDoc[] => config.CustomErrorResponses?.Items ?? [];

/** The configuration's custom error responses with `code`'s replaced by `item` (removed when null), in order. */
function withErrorResponse(items: ErrorResponseDoc[], code: number, item: ErrorResponseDoc | null): ErrorResponseDoc[] {
  const i = items.findIndex((e) => e.ErrorCode === code);
  if (item === null) return i === -1 ? items : items.filter((_, j) => j !== i);
  return i === -1 ? [...items, item] : items.map((e, j) => (j === i ? item : e));
}

const asList = <T>(items: T[]) => ({ Quantity: items.length, ...(items.length > 0 ? { Items: items } : {}) });

function renderPage(e: ErrorResponseDoc | null | undefined): string {
  return e ? `${e.ResponsePagePath || '(no page)'} ${e.ResponseCode || ''} cached ${e.ErrorCachingMinTTL ?? 0}s`.replace(/\s+/g, ' ') : '(none)';
}

/** Whether a distribution answers as maintenance says: every switched behaviour on the origin, every error code on the page. */
export function distributionState(config: DistributionConfigDoc, cf: MaintenanceCloudFrontSpec): 'on' | 'off' | 'partial' {
  const checks = [
    ...switchedBehaviours(config, cf).found.map((b) => b.origin === cf.origin),
    ...(cf.errorResponse?.errorCodes ?? []).map((code) => samePage(errorItems(config).find((e) => e.ErrorCode === code), maintenancePage(cf, code))),
  ];
  if (checks.length > 0 && checks.every(Boolean)) return 'on';
  return checks.some(Boolean) ? 'partial' : 'off';
}

/**
 * The configuration with maintenance switched on, the restore record and the changes. `kept`, the
 * record of an earlier switch (a marker on the distribution), is kept as it is: what the
 * distribution had before maintenance, not what an interrupted switch left.
 */
export function switchOn(config: DistributionConfigDoc, cf: MaintenanceCloudFrontSpec, kept?: DistributionRestore): { config: DistributionConfigDoc; restore: DistributionRestore; diff: FieldDiff[] } {
  const restore: DistributionRestore = kept ? structuredClone(kept) : { behaviors: {}, errorResponses: {}, ...(cf.origin ? { origin: cf.origin } : {}) };
  const desired: DistributionConfigDoc = {};
  const owned: string[] = [];
  const diff: FieldDiff[] = [];
  for (const b of switchedBehaviours(config, cf).found) {
    if (!kept && b.origin !== cf.origin) restore.behaviors[b.pattern] = b.origin;
    if (b.origin === cf.origin) continue;
    owned.push(b.path);
    setPath(desired, b.path, cf.origin);
    diff.push({ path: `behaviour ${b.pattern} origin`, before: b.origin, after: cf.origin });
  }
  let items = errorItems(config);
  for (const code of cf.errorResponse?.errorCodes ?? []) {
    const current = items.find((e) => e.ErrorCode === code) ?? null;
    const page = maintenancePage(cf, code)!;
    if (!kept && !samePage(current, page)) restore.errorResponses[String(code)] = current;
    if (samePage(current, page)) continue;
    items = withErrorResponse(items, code, page);
    diff.push({ path: `error response ${code}`, before: renderPage(current), after: renderPage(page) });
  }
  if (cf.errorResponse && !kept) restore.page = maintenancePage(cf, 0);
  if (items !== errorItems(config)) {
    owned.push('CustomErrorResponses');
    desired.CustomErrorResponses = asList(items);
  }
  return { config: carryOver(config, owned, desired), restore, diff };
}

/**
 * The configuration with what maintenance replaced put back. A piece changed by hand during
 * maintenance (no longer what maintenance put there) is kept, and said in `kept`.
 */
export function switchOff(config: DistributionConfigDoc, restore: DistributionRestore): { config: DistributionConfigDoc; diff: FieldDiff[]; kept: string[] } {
  const desired: DistributionConfigDoc = {};
  const owned: string[] = [];
  const diff: FieldDiff[] = [];
  const kept: string[] = [];
  const all = behaviours(config);
  for (const [pattern, origin] of Object.entries(restore.behaviors)) {
    const b = all.find((x) => x.pattern === pattern);
    if (!b) {
      kept.push(`behaviour ${pattern} no longer exists; nothing to put back`);
      continue;
    }
    if (b.origin === origin) continue;
    if (restore.origin !== undefined && b.origin !== restore.origin) {
      kept.push(`behaviour ${pattern} was changed during maintenance to origin ${b.origin}; left as it is (it had ${origin})`);
      continue;
    }
    owned.push(b.path);
    setPath(desired, b.path, origin);
    diff.push({ path: `behaviour ${pattern} origin`, before: b.origin, after: origin });
  }
  let items = errorItems(config);
  for (const [code, before] of Object.entries(restore.errorResponses)) {
    const current = items.find((e) => e.ErrorCode === Number(code)) ?? null;
    if (before === null ? current === null : samePage(current, before)) continue;
    if (restore.page && !samePage(current, { ...restore.page, ErrorCode: Number(code) })) {
      kept.push(`error response ${code} was changed during maintenance (${renderPage(current)}); left as it is (it had ${renderPage(before)})`);
      continue;
    }
    items = withErrorResponse(items, Number(code), before);
    diff.push({ path: `error response ${code}`, before: renderPage(current), after: renderPage(before) });
  }
  if (items !== errorItems(config)) {
    owned.push('CustomErrorResponses');
    desired.CustomErrorResponses = asList(items);
  }
  return { config: carryOver(config, owned, desired), diff, kept };
}

function setPath(obj: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (let i = 0; i < keys.length - 1; i++) o = o[keys[i]] ??= /^\d+$/.test(keys[i + 1]) ? [] : {};
  o[keys[keys.length - 1]] = value;
}

// ---------------------------------------------------------------------------------- markers

/** The `steady:maintenance` marker of a distribution switched by `resource` (`Maintenance/<name>`). */
export function markerValue(env: string, resource: string, on: Pick<MaintenanceState, 'source' | 'since'>): string {
  return `${resource} env=${env} source=${on.source ?? 'spec'} since=${new Date(on.since ?? 0).toISOString()}`;
}

export function parseMarker(value: string | undefined): { resource: string; env?: string; source?: MaintenanceSource; since?: number } | undefined {
  if (!value) return undefined;
  const [resource, ...fields] = value.split(' ');
  const kv = Object.fromEntries(fields.map((f) => f.split('=') as [string, string]));
  const since = kv.since ? Date.parse(kv.since) : NaN;
  return { resource, ...(kv.env ? { env: kv.env } : {}), ...(kv.source ? { source: kv.source as MaintenanceSource } : {}), ...(Number.isNaN(since) ? {} : { since }) };
}

const partKey = (i: number) => (i === 0 ? TAG_MAINTENANCE_BEFORE : `${TAG_MAINTENANCE_BEFORE}-${i + 1}`);

/** The restore record as tags (base64 JSON, 256 characters a tag). Throws when it would need more than MAX_RESTORE_PARTS tags. */
export function restoreTags(restore: DistributionRestore): Tags {
  const text = Buffer.from(JSON.stringify(restore), 'utf8').toString('base64');
  const parts = Math.max(1, Math.ceil(text.length / TAG_VALUE_MAX));
  if (parts > MAX_RESTORE_PARTS) throw new Error(`the restore record needs ${parts} tags, more than the ${MAX_RESTORE_PARTS} steady allows itself on a distribution`);
  return Object.fromEntries(Array.from({ length: parts }, (_, i) => [partKey(i), text.slice(i * TAG_VALUE_MAX, (i + 1) * TAG_VALUE_MAX)]));
}

/** Every maintenance tag key of a distribution (the marker and the restore parts), for removal. */
export function maintenanceTagKeys(tags: Tags): string[] {
  return Object.keys(tags).filter((k) => k === TAG_MAINTENANCE || k === TAG_MAINTENANCE_BEFORE || k.startsWith(`${TAG_MAINTENANCE_BEFORE}-`));
}

/** The restore record the tags hold, or undefined when there is none or it is damaged. */
export function restoreFromTags(tags: Tags): DistributionRestore | undefined {
  let text = '';
  for (let i = 0; i < MAX_RESTORE_PARTS && tags[partKey(i)] !== undefined; i++) text += tags[partKey(i)];
  if (!text) return undefined;
  try {
    const r = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as DistributionRestore;
    return r && typeof r.behaviors === 'object' && typeof r.errorResponses === 'object' ? r : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------- the ALB rule

export const DEFAULT_MAINTENANCE_MESSAGE = 'This service is down for maintenance. Please try again later.';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The body the ALB answers with: the spec's, or one made from its message in its content type. */
export function maintenanceBody(m: MaintenanceDoc): string {
  const lb = m.spec.loadBalancer!;
  if (lb.body !== undefined) return lb.body;
  const message = m.spec.message ?? DEFAULT_MAINTENANCE_MESSAGE;
  const retry = m.spec.retryAfterSeconds;
  switch (lb.contentType) {
    case 'application/json':
      return JSON.stringify({ status: 'maintenance', message, ...(retry ? { retryAfterSeconds: retry } : {}) });
    case 'text/html':
      return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Maintenance</title></head><body><h1>Maintenance</h1><p>${escapeHtml(message)}</p>${
        retry ? `<p>Please try again in ${Math.ceil(retry / 60)} minutes.</p>` : ''
      }</body></html>`;
    case 'text/plain':
      return retry ? `${message} Please try again in ${Math.ceil(retry / 60)} minutes.` : message;
  }
}

/** The listener rule a Maintenance owns, in steady's terms. */
export interface MaintenanceRule {
  priority: number;
  conditions: { field: string; values: string[] }[];
  statusCode: string;
  contentType: string;
  body: string;
}

export function maintenanceRule(m: MaintenanceDoc): MaintenanceRule {
  const lb: MaintenanceLoadBalancerSpec = m.spec.loadBalancer!;
  return {
    priority: lb.priority,
    conditions: lb.hosts ? [{ field: 'host-header', values: lb.hosts }] : [{ field: 'path-pattern', values: ['/*'] }],
    statusCode: String(lb.statusCode),
    contentType: lb.contentType,
    body: maintenanceBody(m),
  };
}

/** Whether a listener rule answers as the Maintenance's rule does (conditions, status, type and body). */
export function ruleAnswers(rule: ListenerRule, want: MaintenanceRule): boolean {
  const f = rule.actions.length === 1 ? rule.actions[0].fixedResponse : undefined;
  const conditions = (c: { field: string; values: string[] }[]) => JSON.stringify(c.map((x) => [x.field, [...x.values].map((v) => v.toLowerCase()).sort()]).sort());
  return !!f && f.statusCode === want.statusCode && (f.contentType ?? 'text/plain') === want.contentType && (f.messageBody ?? '') === want.body && conditions(rule.conditions) === conditions(want.conditions);
}

/** `503 application/json for api.example.com` (or `for every request`). */
export function describeRule(r: MaintenanceRule): string {
  const hosts = r.conditions.find((c) => c.field === 'host-header')?.values;
  return `${r.statusCode} ${r.contentType} for ${hosts ? hosts.join(', ') : 'every request'}`;
}
