/**
 * Planning Maintenances: whether maintenance should be on (a command's window, the spec, the
 * automatic mode, in that order), and what that means for the entry points: a CloudFront
 * distribution switched to the maintenance origin and error page and back (SwitchDistribution, the
 * configuration changed only in the fields maintenance owns), and an ALB listener rule answering a
 * fixed response, created at the spec's priority and deleted afterwards. While maintenance is on,
 * the switched pieces are the spec; when it ends, the restore record (the distribution's tags, or
 * the state table's copy) says exactly what to put back. Pure.
 */
import type { Listener } from '../model/aws.js';
import {
  DEFAULT_BEHAVIOR,
  describeRule,
  distributionState,
  maintenanceRule,
  markerValue,
  parseMarker,
  restoreFromTags,
  ruleAnswers,
  switchedBehaviours,
  switchOff,
  switchOn,
  TAG_MAINTENANCE,
  describeMaintenance,
  utcMinute,
  type MaintenanceMemory,
  type MaintenanceState,
} from '../model/maintenance.js';
import { ownershipTags, type Action, type FieldDiff, type Phase } from '../model/plan.js';
import type { MaintenanceDoc } from '../spec/schema.js';
import { ownedBy, status, unreadStatus, type Context, type Planned } from './common.js';
import { resourceKey, specHash } from './desired.js';

/** The status reason of each way maintenance can be on, and of off. */
export const MAINTENANCE_REASONS = { spec: 'OnBySpec', command: 'OnByCommand', automatic: 'OnAutomatically', off: 'Off' } as const;

/**
 * Whether maintenance should be on, and why: a command's window while it lasts, else the spec's
 * `maintenance: on`, else the automatic mode. `notes` says what ended (a command's window that
 * expired) or what is overridden.
 */
export function wantedMaintenance(
  m: MaintenanceDoc,
  memory: MaintenanceMemory | undefined,
  now: number,
  /** What the distribution's marker says, when the state table does not know (a lost table). */
  marked?: MaintenanceState,
): { wanted: MaintenanceState; notes: string[] } {
  const notes: string[] = [];
  const last = memory?.last ?? marked;
  const since = (source: MaintenanceState['source'], fallback: number) => (last?.state === 'on' && last.source === source && last.since !== undefined ? last.since : fallback);
  const o = memory?.override;
  if (o && o.until > now) {
    return { wanted: { state: 'on', source: 'command', since: since('command', o.at), by: o.by, reason: o.reason, until: o.until }, notes };
  }
  if (o) notes.push(`the maintenance window turned on by command (${o.by}: ${o.reason}) ended at ${utcMinute(o.until)}`);
  if (m.spec.maintenance === 'on') return { wanted: { state: 'on', source: 'spec', since: since('spec', now) }, notes };
  const a = memory?.automatic;
  if (a?.active) return { wanted: { state: 'on', source: 'automatic', since: a.since ?? now, ...(a.reason ? { reason: a.reason } : {}) }, notes };
  return { wanted: { state: 'off' }, notes };
}

/** What planning one entry point found: its actions, what differs, and whether it is switched now. */
interface Part {
  actions: Action[];
  diff: FieldDiff[];
  notes: string[];
  problem?: { phase: Phase; reason: string; message: string };
  /** Whether it answers the maintenance page now. */
  switched: boolean;
  /** A configuration change still deploying (CloudFront `InProgress`). */
  deploying?: boolean;
  /** One phrase for the status message: what it does now (or will). */
  says: string;
}

const failed = (reason: string, message: string, phase: Phase = 'Failed'): Part => ({ actions: [], diff: [], notes: [], problem: { phase, reason, message }, switched: false, says: '' });

function distributionSays(m: MaintenanceDoc, on: boolean): string {
  const cf = m.spec.cloudFront!;
  if (!on) return `CloudFront ${cf.distribution} serves its own origins`;
  const parts = [
    cf.origin ? `answers from origin ${cf.origin}${cf.behaviors ? ` (${cf.behaviors.join(', ')})` : ''}` : '',
    cf.errorResponse ? `answers errors ${cf.errorResponse.errorCodes.join(', ')} with ${cf.errorResponse.pagePath} (${cf.errorResponse.responseCode}, cached ${cf.errorResponse.cacheSeconds}s)` : '',
  ].filter(Boolean);
  return `CloudFront ${cf.distribution} ${parts.join(' and ')}`;
}

/** The distribution's part: switched by steady (its marker), switching on, or putting back what the restore record holds. */
function planDistribution(ctx: Context, m: MaintenanceDoc, wanted: MaintenanceState, memory: MaintenanceMemory | undefined): Part {
  const cf = m.spec.cloudFront!;
  const key = resourceKey('Maintenance', m.metadata.name);
  const d = ctx.actual.maintenance[m.metadata.name]?.distribution;
  if (d === undefined) return failed('ObserveFailed', `CloudFront distribution ${cf.distribution} could not be read; nothing is changed this pass`, 'Blocked');
  if (d === null) return failed('DistributionNotFound', `CloudFront distribution ${cf.distribution} does not exist; fix spec.cloudFront.distribution`);
  const marker = parseMarker(d.tags[TAG_MAINTENANCE]);
  if (marker && (marker.resource !== key || marker.env !== ctx.env)) {
    return failed('Conflict', `CloudFront distribution ${cf.distribution} is in maintenance by steady for ${marker.env ?? '?'} ${marker.resource}; steady leaves it alone`);
  }
  const record = restoreFromTags(d.tags) ?? (memory?.restore?.distribution === d.id ? memory.restore.record : undefined);
  const state = distributionState(d.config, cf);
  const prefix = (diff: FieldDiff[]) => diff.map((x) => ({ ...x, path: `CloudFront ${cf.distribution} ${x.path}` }));
  const base = { kind: 'SwitchDistribution' as const, resource: key, dependsOn: [], distributionId: d.id, arn: d.arn, cloudFront: cf, tags: d.tags };
  if (wanted.state === 'on') {
    const origins: string[] = (d.config.Origins?.Items ?? []).map((o: { Id: string }) => o.Id);
    if (cf.origin && !origins.includes(cf.origin)) {
      return failed('OriginNotFound', `CloudFront distribution ${cf.distribution} has no origin ${cf.origin} (it has ${origins.join(', ')}): add the maintenance bucket as an origin, reached through origin access control, or fix spec.cloudFront.origin`);
    }
    const { missing } = switchedBehaviours(d.config, cf);
    if (missing.length > 0) return failed('BehaviorNotFound', `CloudFront distribution ${cf.distribution} has no cache behaviour ${missing.join(', ')}; fix spec.cloudFront.behaviors (${DEFAULT_BEHAVIOR} is the default behaviour)`);
    const notes = oacNotes(d.config, cf.origin);
    const on = switchOn(d.config, cf, marker ? record : undefined);
    if (marker && on.diff.length === 0) return { actions: [], diff: [], notes, switched: true, deploying: d.status === 'InProgress', says: distributionSays(m, true) };
    if (!marker && state === 'on' && !record) notes.push(`CloudFront distribution ${cf.distribution} already answered the maintenance page; steady has no record of what it had before, so it will leave it so when maintenance ends`);
    const action: Action = { ...base, id: `switch-on:${key}`, mode: 'on', summary: `switch CloudFront ${cf.distribution} to maintenance`, diff: prefix(on.diff), marker: markerValue(ctx.env, key, wanted), ...(marker && record ? { restore: record } : {}) };
    return { actions: [action], diff: action.diff, notes, switched: state === 'on', says: distributionSays(m, true) };
  }
  if (!marker && !record) {
    const notes = state === 'off' ? [] : [`CloudFront distribution ${cf.distribution} answers (part of) the maintenance page, but steady did not switch it; left alone`];
    return { actions: [], diff: [], notes, switched: false, says: distributionSays(m, false) };
  }
  if (!record) {
    return failed(
      'RestoreRecordLost',
      `CloudFront distribution ${cf.distribution} carries steady's maintenance marker, but its restore record (tags ${TAG_MAINTENANCE}-before*) is damaged and the state table holds no copy: point its behaviours back at their origins by hand and remove the tag ${TAG_MAINTENANCE}`,
    );
  }
  const off = switchOff(d.config, record);
  if (off.diff.length === 0 && !marker) return { actions: [], diff: [], notes: off.kept, switched: false, says: distributionSays(m, false) };
  const action: Action = { ...base, id: `switch-off:${key}`, mode: 'off', summary: `switch CloudFront ${cf.distribution} back from maintenance`, diff: prefix(off.diff), restore: record };
  return { actions: [action], diff: action.diff, notes: off.kept, switched: state !== 'off', says: distributionSays(m, false) };
}

/** An origin maintenance serves from should be a private bucket reached through origin access control. */
function oacNotes(config: Record<string, any>, origin: string | undefined): string[] {
  const o = (config.Origins?.Items ?? []).find((x: { Id: string }) => x.Id === origin);
  if (!o || o.OriginAccessControlId) return [];
  return [`origin ${origin} is not reached through origin access control: a bucket behind it must be public to serve the page`];
}

function listenerLabel(l: Listener, lbName: string): string {
  return `${l.protocol}:${l.port} of ${lbName}`;
}

/** The listener's part: steady's rule at the spec's priority while on, no rule of steady's while off. */
function planRule(ctx: Context, m: MaintenanceDoc, wanted: MaintenanceState): Part {
  const lb = m.spec.loadBalancer!;
  const key = resourceKey('Maintenance', m.metadata.name);
  const o = ctx.actual.maintenance[m.metadata.name] ?? {};
  if (o.loadBalancer === null) return failed('LoadBalancerNotFound', `load balancer ${lb.name} does not exist; fix spec.loadBalancer.name`);
  if (o.listener === null) return failed('ListenerNotFound', `load balancer ${lb.name} has no ${lb.listener.protocol ?? ''}${lb.listener.protocol ? ':' : 'listener on port '}${lb.listener.port}; fix spec.loadBalancer.listener`);
  if (!o.listener || !o.rules) return failed('ObserveFailed', `the rules of listener ${lb.listener.port} of ${lb.name} could not be read; nothing is changed this pass`, 'Blocked');
  const listener = listenerLabel(o.listener, lb.name);
  const want = maintenanceRule(m);
  const mine = o.rules.filter((r) => r.tags && ownedBy(r.tags, ctx.env, key) === 'mine');
  const deletes = (rules: typeof mine, after: string[] = []): Action[] =>
    rules.map((r) => ({
      kind: 'DeleteMaintenanceRule' as const,
      id: `delete-rule:${key}:${r.priority}`,
      resource: key,
      summary: `delete maintenance rule ${r.priority} of ${listener}`,
      diff: [{ path: `${listener} rule ${r.priority}`, before: `${r.actions[0]?.fixedResponse?.statusCode ?? r.actions[0]?.type} (steady's maintenance rule)`, after: undefined }],
      dependsOn: after,
      ruleArn: r.arn,
      listener,
      priority: r.priority,
    }));
  const says = (on: boolean) => (on ? `${listener} answers ${describeRule(want)} (rule ${want.priority})` : `${listener} forwards as usual`);
  if (wanted.state === 'off') {
    const actions = deletes(mine);
    return { actions, diff: actions.flatMap((a) => a.diff), notes: [], switched: mine.length > 0, says: says(false) };
  }
  const ours = mine.find((r) => r.priority === String(want.priority));
  const others = mine.filter((r) => r !== ours);
  if (ours) {
    const notes = ruleAnswers(ours, want) ? [] : [`maintenance rule ${ours.priority} of ${listener} does not answer as the spec says; steady leaves it while maintenance is on (it is made anew next time)`];
    const actions = deletes(others);
    return { actions, diff: actions.flatMap((a) => a.diff), notes, switched: true, says: says(true) };
  }
  const taken = o.rules.find((r) => r.priority === String(want.priority));
  if (taken) {
    return failed('PriorityInUse', `priority ${want.priority} of listener ${listener} is taken by another rule (${taken.arn}), not steady's maintenance rule; set spec.loadBalancer.priority to a free one`);
  }
  const create: Action = {
    kind: 'CreateMaintenanceRule',
    id: `create-rule:${key}`,
    resource: key,
    summary: `create maintenance rule ${want.priority} on ${listener}`,
    diff: [{ path: `${listener} rule ${want.priority}`, before: undefined, after: describeRule(want) }],
    dependsOn: [],
    listenerArn: o.listener.arn,
    listener,
    rule: want,
    tags: { ...ownershipTags(ctx.env, key), ...ctx.desired.environment.spec.tags },
  };
  const actions = [create, ...deletes(others, [create.id])];
  return { actions, diff: actions.flatMap((a) => a.diff), notes: [], switched: false, says: says(true) };
}

/**
 * Plans one Maintenance.
 *
 * @example
 * const { actions, status } = planMaintenance(ctx, doc); // [] or SwitchDistribution / Create|DeleteMaintenanceRule
 */
export function planMaintenance(ctx: Context, m: MaintenanceDoc): Planned {
  const name = m.metadata.name;
  const hash = specHash(m);
  const early = unreadStatus(ctx, 'Maintenance', name, hash);
  const marker = parseMarker(ctx.actual.maintenance[name]?.distribution?.tags[TAG_MAINTENANCE]);
  const marked: MaintenanceState | undefined = marker?.since !== undefined ? { state: 'on', source: marker.source, since: marker.since } : undefined;
  const { wanted, notes } = wantedMaintenance(m, ctx.memory?.[name], ctx.policy.now, marked);
  if (early) return { actions: [], status: { ...early, maintenance: wanted } };
  const parts = [m.spec.cloudFront && planDistribution(ctx, m, wanted, ctx.memory?.[name]), m.spec.loadBalancer && planRule(ctx, m, wanted)].filter((p): p is Part => !!p);
  const actions = parts.flatMap((p) => p.actions);
  const problem = parts.find((p) => p.problem)?.problem;
  const reason = wanted.state === 'on' ? MAINTENANCE_REASONS[wanted.source ?? 'spec'] : MAINTENANCE_REASONS.off;
  const now = parts.some((p) => p.switched) ? (parts.every((p) => p.switched) ? 'on' : 'partly on') : 'off';
  const says = parts.map((p) => p.says).filter(Boolean).join('; ');
  const diff: FieldDiff[] = actions.length > 0 ? [{ path: 'maintenance', before: now, after: describeMaintenance(wanted) }, ...parts.flatMap((p) => p.diff)] : [];
  const allNotes = [...notes, ...parts.flatMap((p) => p.notes)];
  let phase: Phase = problem ? problem.phase : actions.length > 0 ? 'Drifted' : parts.some((p) => p.deploying) ? 'Progressing' : 'Synced';
  let message: string;
  const state = wanted.state === 'on' ? ` (${describeMaintenance(wanted)})` : '';
  if (problem) message = `${problem.message} (maintenance should be ${describeMaintenance(wanted)})`;
  else if (actions.length > 0) message = `turning maintenance ${wanted.state}${state}: ${says}`;
  else message = `${wanted.state === 'on' ? 'in maintenance' : 'not in maintenance'}${state}: ${says}${phase === 'Progressing' ? '; CloudFront is still deploying the change' : ''}`;
  if (problem?.reason === 'ObserveFailed') phase = 'Blocked';
  const st = status('Maintenance', name, hash, phase, problem?.reason ?? reason, message, diff);
  return { actions, status: { ...st, maintenance: wanted, ...(allNotes.length > 0 ? { notes: allNotes } : {}) } };
}
