/**
 * Maintenance across passes: the automatic mode's round at the end of a pass (after the wiring
 * checks: count, decide, and switch at once when it must), and what the state table keeps
 * afterwards (the automatic state, the restore record's copy, what is in place, a command's window
 * until it ends, a history item per switch). The planner (`plan/maintenance.ts`) decides what a
 * switch means for the entry points; this module decides when the automatic mode switches.
 */
import type { Clock } from './clock.js';
import { converge, type ConvergeOptions } from './converge/converge.js';
import { statusesAfter } from './converge/status.js';
import type { Stop } from './interrupt.js';
import { emptyActualState } from './model/actual.js';
import type { ActionOutcome } from './model/pass.js';
import type { AutomaticState, DistributionRestore, MaintenanceEvent, MaintenanceMemory } from './model/maintenance.js';
import type { DesiredEnvironment, Plan, ResourceStatus } from './model/plan.js';
import { readerFor, type Adapters } from './observe/common.js';
import { maintenanceFollowUps, observeMaintenance } from './observe/maintenance.js';
import { chainVerdict, decideAutomatic, initialAutomatic, watchedServices } from './plan/maintenance-auto.js';
import { plan } from './plan/plan.js';
import type { MaintenanceDoc } from './spec/schema.js';

/** What a pass takes and gives back of the Maintenances' memory. */
export interface PassMaintenance {
  /** The state table's memory before the pass, by Maintenance name. */
  memory: Record<string, MaintenanceMemory>;
  /** What to keep after the pass (one per Maintenance of the specs). */
  remember: MaintenanceMemory[];
  /** Switches this pass made (history). */
  events: MaintenanceEvent[];
}

/** The restore records the executors reported in a pass (null: put back), by resource. */
export type RestoreLog = Map<string, { distribution: string; record: DistributionRestore | null }>;

interface RoundInput {
  desired: DesiredEnvironment;
  adapters: Adapters;
  clock: Clock;
  plan: Plan;
  resources: ResourceStatus[];
  memory: Record<string, MaintenanceMemory> | undefined;
  converge: Omit<ConvergeOptions, 'clock'>;
  /** The pass's stop condition: once it says stop, no switch starts (the converge options carry its signal too). */
  stop?: Stop;
}

/** The automatic mode's round: its states after the pass, and the switches it made now (merged into the pass by the caller). */
export interface AutomaticRound {
  automatic: Record<string, AutomaticState>;
  /** Maintenance statuses that replace the pass's own (switched, or noted as held). */
  statuses: ResourceStatus[];
  plan?: Plan;
  outcomes: ActionOutcome[];
  /** True when a switch was due but the pass was stopped before it started (the next pass decides again). */
  stopped?: boolean;
}

/** Keeps the counters of a decision the pass could not act on (observe mode, dry run), not its switch. */
function unswitched(prev: AutomaticState | undefined, next: AutomaticState): AutomaticState {
  const base = prev ?? initialAutomatic();
  return { ...next, active: base.active, since: base.since, reason: base.reason, switchesOn: base.switchesOn, lastSwitchAt: base.lastSwitchAt };
}

/**
 * Runs the automatic mode of every Maintenance that opts in, on this pass's statuses: counts, and
 * when a switch is due, observes that Maintenance's entry points afresh, plans and converges the
 * switch at once.
 */
export async function automaticRound(input: RoundInput): Promise<AutomaticRound> {
  const { desired, resources, memory, clock } = input;
  const now = clock.now();
  const automatic: Record<string, AutomaticState> = {};
  const statuses: ResourceStatus[] = [];
  const switching: MaintenanceDoc[] = [];
  const held = input.plan.holdAll;
  for (const m of (desired.maintenance ?? []).filter((x) => x.spec.automatic)) {
    const name = m.metadata.name;
    const prev = memory?.[name]?.automatic;
    const status = resources.find((r) => r.resource === `Maintenance/${name}`);
    const otherwiseOn = status?.maintenance?.state === 'on' && status.maintenance.source !== 'automatic';
    const verdicts = watchedServices(m, resources).map((s) => chainVerdict(s, resources));
    const d = decideAutomatic(m.spec.automatic!, prev, verdicts, otherwiseOn, now);
    automatic[name] = held ? unswitched(prev, d.state) : d.state;
    if (d.switched && !held) switching.push(m);
    else if (status && d.why) statuses.push({ ...status, notes: [...(status.notes ?? []), `${d.switched ? `would switch maintenance ${d.switched} automatically, but the pass changes nothing` : 'automatic mode'}: ${d.why}`] });
  }
  if (switching.length === 0) return { automatic, statuses, outcomes: [] };
  const stopped = () => input.stop?.check() !== undefined;
  const sub: DesiredEnvironment = { ...desired, services: [], migrations: [], scheduledTasks: [], aliases: [], maintenance: switching };
  const actual = emptyActualState(desired.name, now);
  const read = readerFor(actual, stopped);
  await observeMaintenance(sub, actual, input.adapters, read);
  for (const f of maintenanceFollowUps(sub, actual, input.adapters, read)) await f();
  if (stopped()) {
    // Counted, not switched: the next pass decides again from what it sees then.
    for (const m of switching) automatic[m.metadata.name] = unswitched(memory?.[m.metadata.name]?.automatic, automatic[m.metadata.name]);
    return { automatic, statuses, outcomes: [], stopped: true };
  }
  const memoryNow = Object.fromEntries(switching.map((m) => [m.metadata.name, { ...(memory?.[m.metadata.name] ?? { name: m.metadata.name }), automatic: automatic[m.metadata.name] }]));
  const p = plan(sub, actual, input.plan.policy, { ...memory, ...memoryNow });
  const outcomes = await converge(p, input.adapters, { ...input.converge, clock });
  return { automatic, statuses: [...statuses, ...statusesAfter(p, outcomes)], plan: p, outcomes };
}

/** What the state table keeps of each Maintenance after a pass, and the switches to record. */
export function rememberMaintenance(
  desired: DesiredEnvironment,
  memory: Record<string, MaintenanceMemory> | undefined,
  resources: ResourceStatus[],
  restores: RestoreLog,
  automatic: Record<string, AutomaticState>,
  at: { now: number; passId: string },
): { remember: MaintenanceMemory[]; events: MaintenanceEvent[] } {
  const remember: MaintenanceMemory[] = [];
  const events: MaintenanceEvent[] = [];
  for (const m of desired.maintenance ?? []) {
    const name = m.metadata.name;
    const prev = memory?.[name];
    const status = resources.find((r) => r.resource === `Maintenance/${name}`);
    const inPlace = status && (status.phase === 'Synced' || status.phase === 'Progressing');
    const last = inPlace ? status.maintenance : prev?.last;
    const logged = restores.get(`Maintenance/${name}`);
    const restore = logged ? (logged.record ? { distribution: logged.distribution, record: logged.record, savedAt: at.now } : undefined) : last?.state === 'off' && inPlace ? undefined : prev?.restore;
    const override = prev?.override && prev.override.until > at.now ? prev.override : undefined;
    const auto = automatic[name] ?? prev?.automatic;
    remember.push({ name, ...(override ? { override } : {}), ...(auto ? { automatic: auto } : {}), ...(restore ? { restore } : {}), ...(last ? { last } : {}) });
    const was = prev?.last;
    if (last && (last.state !== (was?.state ?? 'off') || (last.state === 'on' && last.source !== was?.source))) {
      const { state, source, by, reason, until } = last;
      events.push({ environment: desired.name, name, at: at.now, switched: state, ...(source ? { source } : {}), ...(by ? { by } : {}), ...(reason ? { reason } : {}), ...(until !== undefined ? { until } : {}), passId: at.passId });
    }
  }
  return { remember, events };
}
