/**
 * The automatic mode of a Maintenance (opt-in): after each pass's wiring checks, count the passes in
 * a row the watched chains were broken, or Ready, and decide whether to switch maintenance on or
 * off. It never flaps: a rollout steady started does not count (its chain is expected to be broken
 * for a while), maintenance stays on at least `minOnMinutes` and off at least `minOffMinutes`, and
 * it switches on at most `maxPerHour` times an hour. Pure: the pass applies the decision.
 */
import type { AutomaticState } from '../model/maintenance.js';
import type { ResourceStatus } from '../model/plan.js';
import type { MaintenanceAutomaticSpec, MaintenanceDoc } from '../spec/schema.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** What one watched chain looked like in this pass. */
export interface ChainVerdict {
  service: string;
  /** ready: every link connected; broken: a link is broken; changing: a rollout or repair steady started is under way; unknown: not read or not checked. */
  state: 'ready' | 'broken' | 'changing' | 'unknown';
  /** The first broken link, in words (for the reason maintenance went on). */
  detail?: string;
}

/** The Services a Maintenance watches: the spec's list, else those behind its load balancer, else every one with a chain. */
export function watchedServices(m: MaintenanceDoc, statuses: ResourceStatus[]): string[] {
  const auto = m.spec.automatic;
  if (auto?.services) return auto.services;
  const wiring = statuses.filter((s) => s.kind === 'Wiring' && s.wiring);
  const lb = m.spec.loadBalancer?.name;
  const behind = lb ? wiring.filter((s) => s.wiring!.loadBalancer === lb) : [];
  return (behind.length > 0 ? behind : wiring).map((s) => s.name);
}

/** One watched chain's verdict, from its `Wiring/<service>` status (and its Service's: a rollout under way). */
export function chainVerdict(service: string, statuses: ResourceStatus[]): ChainVerdict {
  const wiring = statuses.find((s) => s.resource === `Wiring/${service}`);
  const svc = statuses.find((s) => s.resource === `Service/${service}`);
  if (svc?.phase === 'Progressing' || wiring?.phase === 'Progressing') return { service, state: 'changing' };
  if (!wiring?.wiring) return { service, state: 'unknown' };
  const links = wiring.wiring.links;
  const broken = links.find((l) => l.status === 'broken');
  if (broken) return { service, state: 'broken', detail: `${service}: ${broken.name} ${broken.reason ?? 'broken'}` };
  if (links.some((l) => l.status === 'unknown')) return { service, state: 'unknown' };
  return { service, state: 'ready' };
}

/** The verdict over every watched chain: a change under way wins (nothing counts), then broken, then unknown. */
function overall(verdicts: ChainVerdict[]): ChainVerdict['state'] {
  if (verdicts.length === 0) return 'unknown';
  for (const state of ['changing', 'broken', 'unknown'] as const) if (verdicts.some((v) => v.state === state)) return state;
  return 'ready';
}

export interface AutomaticDecision {
  state: AutomaticState;
  /** The switch to make now, if any. */
  switched?: 'on' | 'off';
  /** Why it switched, or why it did not although the counts say so (a hold, the cap). */
  why?: string;
}

/** A fresh automatic state. */
export function initialAutomatic(): AutomaticState {
  return { active: false, brokenPasses: 0, readyPasses: 0, switchesOn: [] };
}

/**
 * The next automatic state after a pass. `otherwiseOn`: maintenance is on anyway (by spec or by
 * command), so the automatic mode only counts.
 *
 * @example
 * const d = decideAutomatic(m.spec.automatic!, memory.automatic, [chainVerdict('api', statuses)], false, now);
 * if (d.switched === 'on') // plan and converge maintenance now
 */
export function decideAutomatic(settings: MaintenanceAutomaticSpec, previous: AutomaticState | undefined, verdicts: ChainVerdict[], otherwiseOn: boolean, now: number): AutomaticDecision {
  const prev = previous ?? initialAutomatic();
  const state: AutomaticState = { ...prev, switchesOn: prev.switchesOn.filter((t) => now - t < HOUR) };
  const seen = overall(verdicts);
  if (seen === 'broken') {
    state.brokenPasses += 1;
    state.readyPasses = 0;
  } else if (seen === 'ready') {
    state.readyPasses += 1;
    state.brokenPasses = 0;
  }
  const sinceSwitch = state.lastSwitchAt === undefined ? Number.POSITIVE_INFINITY : now - state.lastSwitchAt;
  if (!state.active) {
    if (state.brokenPasses < settings.brokenPasses || otherwiseOn) return { state };
    const held = `the chain has been broken for ${state.brokenPasses} passes`;
    if (sinceSwitch < settings.minOffMinutes * MINUTE) {
      return { state, why: `${held}, but maintenance went off ${Math.floor(sinceSwitch / MINUTE)} minutes ago and stays off at least ${settings.minOffMinutes} minutes` };
    }
    if (state.switchesOn.length >= settings.maxPerHour) {
      return { state, why: `${held}, but maintenance was switched on automatically ${state.switchesOn.length} times in the last hour (at most ${settings.maxPerHour})` };
    }
    const detail = verdicts.filter((v) => v.state === 'broken').map((v) => v.detail).join(', ');
    const why = `${held} (${detail})`;
    return { state: { ...state, active: true, since: now, reason: why, readyPasses: 0, switchesOn: [...state.switchesOn, now], lastSwitchAt: now }, switched: 'on', why };
  }
  if (state.readyPasses < settings.readyPasses) return { state };
  const onFor = now - (state.since ?? now);
  if (onFor < settings.minOnMinutes * MINUTE) {
    return { state, why: `the chain has been Ready for ${state.readyPasses} passes, but maintenance went on ${Math.floor(onFor / MINUTE)} minutes ago and stays on at least ${settings.minOnMinutes} minutes` };
  }
  const why = `the chain has been Ready for ${state.readyPasses} passes`;
  const { since: _since, reason: _reason, ...rest } = state;
  return { state: { ...rest, active: false, brokenPasses: 0, lastSwitchAt: now }, switched: 'off', why };
}
