/**
 * `steady maintenance on|off --env ENV` (its definition is commands/maintenance.ts): a maintenance window without a commit. `on` writes the
 * window (who, why, until when) into the state table and `off` ends it, both holding the
 * environment's lease (taken as `steady reconcile` takes it: `cli/lease.ts`), and then the same
 * pass `steady reconcile` runs switches the entry points at once. The window ends by itself: the
 * first pass after its end switches back (unless the spec or the automatic mode still wants
 * maintenance on). The state table is required: it is where the window lives, so `--no-lease`
 * (which is for running without one) does not apply. Ctrl-C stops the pass, records it and
 * releases the lease (exit 130).
 */
import { hostname } from 'node:os';
import { PassInterruptedError } from '../errors.js';
import { EXIT, exitCode, passOutcome } from '../model/outcome.js';
import { describeMaintenance, utcMinute, type MaintenanceOverride, type MaintenanceState } from '../model/maintenance.js';
import type { PassResult } from '../model/pass.js';
import { reconcileEnvironment, type ReconcileOutcome } from '../reconcile.js';
import { buildReport, renderReport } from '../report/index.js';
import type { EnvironmentSpecs } from '../spec/load.js';
import type { StateStore } from '../state/store.js';
import type { CliContext } from './context.js';
import { newPassId } from '../pass.js';
import { cliHolder, loadEnvironments, printLoadFailure, resolveTarget, unreachableWords, type EngineOptions } from './engine.js';
import { document, passJson, printFailure } from './json.js';
import { chooseLease, interruptOnCtrlC, type LeaseCliOptions } from './lease.js';
import { createOutput, type Output, type OutputFormat } from './output.js';
import { progressPrinter } from './progress.js';
import { leaseLine } from './reconcile.js';

interface MaintenanceOptions extends EngineOptions, LeaseCliOptions {
  output: OutputFormat;
  for?: string;
  reason?: string;
  by?: string;
  name?: string[];
}

/** The longest window a command may set (a forgotten window must not outlive a week). */
export const MAX_WINDOW_MS = 7 * 86_400_000;

/** `30m`, `2h`, `1d` as milliseconds, from one minute to seven days; undefined when it is not one. */
export function parseWindow(text: string): number | undefined {
  const m = /^(\d+)\s*(m|min|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'min' | 'h' | 'd'] : NaN;
  return m && ms >= 60_000 && ms <= MAX_WINDOW_MS ? ms : undefined;
}

/** The Maintenances of the environment the command acts on: the ones `--name` gives, or all; a usage error otherwise. */
function chosen(ctx: CliContext, env: EnvironmentSpecs, names: string[] | undefined): string[] {
  const all = (env.maintenance ?? []).map((m) => m.metadata.name);
  if (all.length === 0) ctx.usageError(`environment ${env.name} declares no Maintenance: add one (kind: Maintenance) to its specs first`);
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) ctx.usageError(`environment ${env.name} has no Maintenance ${unknown.join(', ')} (it has: ${all.join(', ')})`);
  return names;
}

/** What the flags say is wrong before anything is read: the window's length (with on), or undefined. */
function checkFlags(ctx: CliContext, switched: 'on' | 'off', options: MaintenanceOptions): number | undefined {
  if (!options.table && options.lease === false) {
    ctx.usageError('--no-lease does not apply: the maintenance window lives in the state table, and is written holding its lease; give --table NAME or set STEADY_TABLE');
  }
  if (!options.table) ctx.usageError('no state table: the maintenance window lives in it; give --table NAME or set STEADY_TABLE');
  if (switched === 'off') return undefined;
  if (!options.for) ctx.usageError('say how long with --for (30m, 2h, 1d): the window ends by itself');
  if (!options.reason?.trim()) ctx.usageError('say why with --reason "..." (it is shown in the reports and in steady status)');
  return parseWindow(options.for) ?? ctx.usageError(`--for: expected a duration from 1m to 7d such as 30m, 2h or 1d; got "${options.for}"`);
}

/** What `maintenance on|off` asks of the table, holding the lease, before the pass (the demo uses it too). */
export function prepareFor(env: string, names: string[], switched: 'on' | 'off', override: MaintenanceOverride | undefined): (store: StateStore) => Promise<void> {
  return async (store) => {
    if (switched === 'on') {
      for (const name of names) await store.setMaintenanceOverride(env, name, override!);
      return;
    }
    const memory = await store.loadMaintenance(env);
    for (const name of names) await store.clearMaintenanceOverride(env, name, memory[name]);
  };
}

/** Each chosen Maintenance as the pass left it (or wanted it, when it could not switch). */
export function statesOf(result: PassResult, names: string[]): { name: string; phase: string; maintenance?: MaintenanceState; message: string }[] {
  return names.map((name) => {
    const st = result.resources.find((r) => r.resource === `Maintenance/${name}`);
    return { name, phase: st?.phase ?? 'Unknown', ...(st?.maintenance ? { maintenance: st.maintenance } : {}), message: st?.message ?? 'not planned' };
  });
}

/** The first lines: what the window is now, per Maintenance, and what still keeps it on. */
export function headline(out: Output, env: string, switched: 'on' | 'off', states: ReturnType<typeof statesOf>): void {
  for (const s of states) {
    const now = s.maintenance ? describeMaintenance(s.maintenance) : 'unknown';
    const inPlace = s.phase === 'Synced' || s.phase === 'Progressing';
    const line = `Maintenance ${s.name} of ${env}: ${inPlace ? now : `should be ${now}, but it is not in place (${s.phase})`}`;
    out.line(inPlace ? out.color.bold(line) : out.color.bold(out.color.red(line)));
    if (switched === 'off' && s.maintenance?.state === 'on' && s.maintenance.source === 'spec') {
      out.line('    The spec says maintenance: on; a commit with maintenance: off ends it.');
    }
  }
  out.line();
}

/** `steady maintenance on|off [PATH...] --env ENV`. */
export async function maintenance(ctx: CliContext, switched: 'on' | 'off', paths: string[], options: MaintenanceOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const empty = { switched, environments: [] };
  const fail = (code: number, kind: string, message: string) => printFailure(out, 'maintenance', code, { kind, message }, empty, [`error: ${message}`]);
  const window = checkFlags(ctx, switched, options);
  const loaded = await loadEnvironments(ctx, paths, options);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'maintenance', empty);
  if (loaded.environments.length !== 1) ctx.usageError(`say which environment with --env (${loaded.environments.map((e) => e.name).join(', ')})`);
  const env = loaded.environments[0];
  const names = chosen(ctx, env, options.name);
  const target = await resolveTarget(options);
  // The lease as reconcile takes it (a real --table under --sim, --table with --no-lease: refused).
  const choice = await chooseLease(options, { command: 'maintenance', clock: target.clock, region: env.environment.spec.region });
  if ('refused' in choice) ctx.usageError(choice.refused);
  const now = target.clock.now();
  const refused = target.refusal(env.environment.spec);
  if (refused) ctx.usageError(`${env.name}: ${refused}`);
  // Through the role the environment names, when it names one.
  const passId = newPassId(env.name, now);
  const reached = await target.reach(env.environment.spec, passId);
  if (!reached.ok) return fail(1, reached.unreadable.cause?.kind ?? 'unreachable', `${unreachableWords(env.name, env.environment.spec, reached.unreadable)}; nothing was written or switched`);
  const { adapters, calls } = reached.regional;
  const by = options.by?.trim() || `${ctx.io.env.USER ?? 'someone'}@${hostname()}`;
  const override = window !== undefined ? { by, reason: options.reason!.trim(), at: now, until: now + window } : undefined;
  if (options.output !== 'json') {
    out.note(`turning maintenance ${switched} for ${env.name}${override ? ` until ${utcMinute(override.until)}` : ''} in ${target.describe}…`);
  }
  let ran: ReconcileOutcome;
  const ctrlC = interruptOnCtrlC(ctx.io);
  try {
    ran = await reconcileEnvironment(env, {
      passId,
      adapters,
      calls,
      clock: target.clock,
      store: choice.store,
      leaseTtlMs: choice.ttlMs,
      holder: cliHolder(),
      signal: ctrlC.signal,
      progress: progressPrinter(ctx.io, 'auto'),
      specVersion: loaded.commit,
      specSource: loaded.source,
      prepare: prepareFor(env.name, names, switched, override),
    });
  } catch (err) {
    // The lease lost (or Ctrl-C) before the window was written.
    if (err instanceof PassInterruptedError) return fail(err.reason === 'aborted' ? EXIT.interrupted : 1, err.reason, `${err.message}; nothing was written or switched`);
    return fail(1, 'stateTable', `the maintenance window could not be written: ${(err as Error).message}; nothing was switched`);
  } finally {
    ctrlC.dispose();
  }
  const report = buildReport(ran.result, { env: ctx.io.env });
  const code = ctrlC.interrupted() ? EXIT.interrupted : exitCode('reconcile', [passOutcome(ran.result).verdict]);
  const states = statesOf(ran.result, names);
  if (out.format === 'json') {
    const maintenances = states.map((s) => ({
      name: s.name,
      phase: s.phase,
      message: s.message,
      ...(s.maintenance ? { state: s.maintenance.state, ...jsonState(s.maintenance) } : {}),
    }));
    out.json(document('maintenance', code, { switched, environment: env.name, maintenances, environments: [passJson(report, { recordError: ran.recordError, lease: ran.lease })] }));
    return code;
  }
  if (ran.result.skipped === 'leaseHeld') {
    out.line(out.color.yellow(`Nothing was written or switched: ${ran.result.error ?? 'another run holds the lease'}. Try again when it is done.`));
    return code;
  }
  headline(out, env.name, switched, states);
  out.line(renderReport(report, { color: out.color.isColorSupported, width: out.width }).trimEnd());
  const lease = leaseLine(ran.lease, env.name);
  if (lease) out.line(out.color.yellow(lease));
  if (ran.recordError) out.line(out.color.yellow(`warning: the pass was not recorded: ${ran.recordError}`));
  return code;
}

/** Who, why, since and until when, as JSON (ISO times). */
function jsonState(m: MaintenanceState) {
  return {
    ...(m.source ? { source: m.source } : {}),
    ...(m.since !== undefined ? { since: new Date(m.since).toISOString() } : {}),
    ...(m.by ? { by: m.by } : {}),
    ...(m.reason ? { reason: m.reason } : {}),
    ...(m.until !== undefined ? { until: new Date(m.until).toISOString() } : {}),
  };
}
