/**
 * A wiring result as a status of the pass beside the others (`Wiring/<service>`), judged against
 * what the rest of the pass did: "steady is repairing this" only when it is. Pure.
 */
import { resourceVerdicts, type PassFacts, type ResourceVerdict, type UnreadItem } from '../model/outcome.js';
import type { ActionOutcome } from '../model/pass.js';
import type { DesiredEnvironment, Plan, ResourceStatus } from '../model/plan.js';
import { wiringStatus } from './report.js';
import { LINK_TITLES, wiringChain, type WiringResult } from './types.js';

/** Links that are broken while a rollout is still under way, and mend when it completes. */
const ROLLOUT_LINKS = new Set(['deployment', 'targets', 'tasks']);
/** Breaks AWS mends by itself within minutes (a new load balancer still provisioning). */
const SETTLING_REASONS = new Set(['LoadBalancerProvisioning']);

/** What the wiring statuses are judged against: the rest of the pass so far. */
export interface WiringContext {
  /** The statuses of the pass's resources after converging, by resource key. */
  statuses: Map<string, ResourceStatus>;
  /** Their outcomes (model/outcome.ts), by resource key. */
  verdicts: Map<string, ResourceVerdict>;
  /** The environment's AliasRecords: which mend the `alias` link of which record name. */
  aliases: { key: string; recordName: string }[];
  /** The pass's actions on each resource, for "steady is repairing this" messages. */
  actions: Map<string, string[]>;
  /** Services whose tasks this pass's own changes replace or add (a rollout, a new desired count), done or under way. */
  tasksChanging: Set<string>;
  /** What a person runs to let steady go on, by resource key (`steady retry migration/db-migrate --env shop-prod`). */
  wayOut: Map<string, string>;
}

/** The resources whose changes mend a link: the AliasRecords of its names, or the service itself. */
function mendersOf(result: WiringResult, link: string, ctx: WiringContext): string[] {
  if (link === 'alias') return ctx.aliases.filter((a) => result.names.includes(a.recordName)).map((a) => a.key);
  return [`Service/${result.service}`];
}

/** Why a mender's outcome keeps it from repairing the link, for people. */
function notRepairedBecause(key: string, verdict: ResourceVerdict, status: ResourceStatus | undefined): string {
  const said = status?.message ? `: ${status.message}` : '';
  switch (verdict.blockedBy) {
    case 'observe':
      return 'the environment is in observe mode, so steady does not change it';
    case 'changeBudget':
      return `the pass would change more resources than the change budget allows${said}`;
    default:
      return `${key}${said}`;
  }
}

/**
 * A wiring result as a status beside the others. It is Progressing only when this pass's own
 * change to the resource that mends the broken link (the service, or the alias records of its
 * names) succeeded or is under way, or when the link waits for a rollout of the spec's revision or
 * for AWS to finish provisioning a load balancer. Otherwise it keeps its real phase and says what
 * keeps steady from repairing it (observe mode, a conflict, a failed migration, the change budget),
 * with `steady retry ...` where the blocking status names it.
 */
export function wiringResourceStatus(result: WiringResult, ctx: WiringContext): ResourceStatus {
  const st = { ...wiringStatus(result), resource: `Wiring/${result.service}`, kind: 'Wiring' as const, wiring: wiringChain(result) };
  const broken = result.links.filter((l) => l.status === 'broken' || l.status === 'unknown');
  const first = broken[0];
  if (!first) return st;
  if (first.status === 'unknown') {
    const unread = dedupe(
      broken
        .filter((l) => l.status === 'unknown')
        .map((l) => ({ what: l.summary.startsWith('could not read ') ? l.summary.slice('could not read '.length) : LINK_TITLES[l.name], ...(l.cause ? { cause: l.cause } : {}) })),
    );
    return { ...st, phase: 'Blocked', reason: 'ReadFailed', unread };
  }
  const service = ctx.verdicts.get(`Service/${result.service}`);
  if (ROLLOUT_LINKS.has(first.name) && !first.healable && (service?.outcome === 'converging' || ctx.tasksChanging.has(`Service/${result.service}`))) {
    return { ...st, phase: 'Progressing', message: `waiting for the rollout: ${st.message}` };
  }
  if (first.reason !== undefined && SETTLING_REASONS.has(first.reason)) return { ...st, phase: 'Progressing', message: `waiting for AWS: ${st.message}` };
  if (!first.healable) return st;

  const menders = mendersOf(result, first.name, ctx).map((key) => ({ key, verdict: ctx.verdicts.get(key), status: ctx.statuses.get(key) }));
  const repairing = menders.find((m) => m.verdict && ['converging', 'healed', 'created'].includes(m.verdict.outcome));
  if (repairing) {
    const what = ctx.actions.get(repairing.key)?.join('; ') ?? repairing.status?.message ?? '';
    return { ...st, phase: 'Progressing', message: `steady is repairing this (${what}): ${st.message}` };
  }
  // The link's own words promise that a reconcile repairs it; from here on, this pass does not.
  const said = st.message.replace(/[;.] steady(?:'s reconcile pass)? (?:creates|re-points|updates|registers|starts)[^;]*$/, '');
  const would = menders.find((m) => m.verdict?.outcome === 'wouldChange');
  if (would) return { ...st, phase: 'Drifted', message: `${said}; a reconcile would repair it (${ctx.actions.get(would.key)?.join('; ') ?? would.key})` };
  const failed = menders.find((m) => m.verdict?.outcome === 'failed');
  if (failed) return { ...st, phase: 'Failed', message: `${said}; the repair failed: ${failed.key}: ${failed.status?.message ?? 'failed'}` };
  const blocked = menders.find((m) => m.verdict?.outcome === 'unrepaired' || m.verdict?.outcome === 'unknown');
  if (blocked) {
    const blockedBy = blocked.verdict!.outcome === 'unknown' ? 'none' : (blocked.verdict!.blockedBy ?? 'none');
    const retry = ctx.wayOut.get(blocked.key);
    return { ...st, phase: 'Blocked', blockedBy, message: `${said}; not repaired: ${notRepairedBecause(blocked.key, blocked.verdict!, blocked.status)}${retry ? `; ${retry}` : ''}` };
  }
  return { ...st, phase: 'Failed', message: `${said}; nothing in this pass repairs it` };
}

/**
 * The `steady retry` a person runs once they fixed the cause: for a failed migration, and for a
 * service whose rollout waits for one.
 */
function waysOut(desired: DesiredEnvironment, verdicts: Map<string, ResourceVerdict>): Map<string, string> {
  const out = new Map<string, string>();
  const retry = (name: string) => `after fixing migration ${name}, run \`steady retry migration/${name} --env ${desired.name}\``;
  for (const m of desired.migrations) if (verdicts.get(`Migration/${m.metadata.name}`)?.outcome === 'failed') out.set(`Migration/${m.metadata.name}`, retry(m.metadata.name));
  for (const svc of desired.services) {
    const gates = [...svc.spec.after, ...desired.migrations.filter((m) => m.spec.before.includes(svc.metadata.name)).map((m) => m.metadata.name)];
    const failed = gates.filter((g) => out.has(`Migration/${g}`));
    if (failed.length > 0) out.set(`Service/${svc.metadata.name}`, retry(failed[0]));
  }
  return out;
}

/** Services whose tasks a change of this pass (done or under way) replaces or adds to. */
function tasksChanging(p: Plan, outcomes: ActionOutcome[]): Set<string> {
  const state = new Map(outcomes.map((o) => [o.actionId, o.state]));
  const changes = (a: Plan['actions'][number]) =>
    a.kind === 'CreateService' ||
    a.kind === 'CreateCodeDeployDeployment' ||
    a.kind === 'AwaitCodeDeployDeployment' ||
    (a.kind === 'UpdateService' && (a.taskDefinition !== undefined || a.settings.desiredCount !== undefined));
  return new Set(p.actions.filter((a) => changes(a) && (state.get(a.id) === 'done' || state.get(a.id) === 'pending')).map((a) => a.resource));
}

/** Each thing not read once, in a stable order. */
function dedupe(items: UnreadItem[]): UnreadItem[] {
  const byWhat = new Map(items.map((u) => [u.what, u]));
  return [...byWhat.values()].sort((a, b) => a.what.localeCompare(b.what));
}

/** What the pass did (or would do) to each resource, one phrase per action. */
function actionSummaries(p: Plan, outcomes: ActionOutcome[]): Map<string, string[]> {
  const done = new Map(outcomes.map((o) => [o.actionId, o]));
  const map = new Map<string, string[]>();
  for (const a of p.actions) {
    const o = done.get(a.id);
    const phrase = o && o.state !== 'held' ? `${o.summary}: ${o.state}` : a.summary;
    map.set(a.resource, [...(map.get(a.resource) ?? []), phrase]);
  }
  return map;
}

/**
 * What the wiring statuses of a pass are judged against: its statuses so far and their outcomes.
 *
 * @example
 * const context = wiringContext(desired, { plan, outcomes, resources, drift, dryRun, mode, unreadable });
 * resources.push(...results.map((w) => wiringResourceStatus(w, context)));
 */
export function wiringContext(desired: DesiredEnvironment, pass: PassFacts & { plan: Plan }): WiringContext {
  const verdicts = new Map(resourceVerdicts(pass).map((v) => [v.resource, v]));
  return {
    statuses: new Map(pass.resources.map((r) => [r.resource, r])),
    verdicts,
    aliases: desired.aliases.map((a) => ({ key: `AliasRecord/${a.metadata.name}`, recordName: a.spec.name })),
    actions: actionSummaries(pass.plan, pass.outcomes),
    tasksChanging: tasksChanging(pass.plan, pass.outcomes),
    wayOut: waysOut(desired, verdicts),
  };
}
