/**
 * `steady maintenance on|off --env ENV`: a maintenance window without a commit. `on` writes the
 * window (who, why, until when) into the state table and `off` ends it, both holding the
 * environment's lease (taken as `steady reconcile` takes it: `cli/lease.ts`), and then the same
 * pass `steady reconcile` runs switches the entry points at once. The window ends by itself: the
 * first pass after its end switches back (unless the spec or the automatic mode still wants
 * maintenance on). The state table is required: it is where the window lives, so `--no-lease`
 * (which is for running without one) does not apply. Ctrl-C stops the pass, records it and
 * releases the lease (exit 130).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { PassInterruptedError } from '../errors.js';
import { EXIT, exitCode, passOutcome } from '../model/outcome.js';
import { describeMaintenance, utcMinute, type MaintenanceOverride, type MaintenanceState } from '../model/maintenance.js';
import type { PassResult } from '../model/pass.js';
import { reconcileEnvironment, type ReconcileOutcome } from '../reconcile.js';
import { buildReport, renderReport } from '../report/index.js';
import type { EnvironmentSpecs } from '../spec/load.js';
import type { StateStore } from '../state/store.js';
import type { CliContext } from './main.js';
import { addEngineOptions, cliHolder, loadEnvironments, printLoadFailure, resolveTarget, type EngineOptions } from './engine.js';
import { document, passJson, printFailure } from './json.js';
import { addLeaseOptions, chooseLease, interruptOnCtrlC, type LeaseCliOptions } from './lease.js';
import { createOutput, outputOption, type Output, type OutputFormat } from './output.js';
import { leaseLine } from './reconcile.js';

interface MaintenanceOptions extends EngineOptions, LeaseCliOptions {
  output: OutputFormat;
  for?: string;
  reason?: string;
  by?: string;
  name?: string[];
}

/** A mistake in how the command was called (exit 2). */
class UsageError extends Error {}

/** The longest window a command may set (a forgotten window must not outlive a week). */
export const MAX_WINDOW_MS = 7 * 86_400_000;

/** The exit codes of `maintenance`, for its `--help` and the README. */
export const MAINTENANCE_EXIT_CODES =
  'Exit codes: 0 switched (or already so), and the pass converged or is converging; 1 the pass could not switch ' +
  '(AWS refused or could not be read, a conflict), or the state table could not be written; 3 another run holds the ' +
  "environment's lease: nothing was written or switched; 2 usage error (no --table, --no-lease, no --for or --reason, an " +
  'unknown Maintenance, --sim with a real --table); 130 stopped with Ctrl-C (what was done is recorded and the lease released first).';

/** `30m`, `2h`, `1d` as milliseconds, from one minute to seven days. */
export function parseWindow(text: string): number {
  const m = /^(\d+)\s*(m|min|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'min' | 'h' | 'd'] : NaN;
  if (!m || ms < 60_000 || ms > MAX_WINDOW_MS) throw new UsageError(`--for: expected a duration from 1m to 7d such as 30m, 2h or 1d; got "${text}"`);
  return ms;
}

/** The Maintenances of the environment the command acts on: the ones `--name` gives, or all. */
function chosen(env: EnvironmentSpecs, names: string[] | undefined): string[] {
  const all = (env.maintenance ?? []).map((m) => m.metadata.name);
  if (all.length === 0) throw new UsageError(`environment ${env.name} declares no Maintenance: add one (kind: Maintenance) to its specs first`);
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new UsageError(`environment ${env.name} has no Maintenance ${unknown.join(', ')} (it has: ${all.join(', ')})`);
  return names;
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

async function run(switched: 'on' | 'off', paths: string[], options: MaintenanceOptions, ctx: CliContext): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const empty = { switched, environments: [] };
  const fail = (code: number, kind: string, message: string) => printFailure(out, 'maintenance', code, { kind, message }, empty, [`steady: ${message}`]);
  let window: number | undefined;
  try {
    if (!options.table && options.lease === false) {
      throw new UsageError('--no-lease does not apply: the maintenance window lives in the state table, and is written holding its lease; give --table NAME or set STEADY_TABLE');
    }
    if (!options.table) throw new UsageError('no state table: the maintenance window lives in it; give --table NAME or set STEADY_TABLE');
    if (switched === 'on') {
      if (!options.for) throw new UsageError('say how long with --for (30m, 2h, 1d): the window ends by itself');
      if (!options.reason?.trim()) throw new UsageError('say why with --reason "..." (it is shown in the reports and in steady status)');
      window = parseWindow(options.for);
    }
  } catch (err) {
    if (err instanceof UsageError) return fail(2, 'usage', err.message);
    throw err;
  }
  const loaded = await loadEnvironments(paths, options.env, options.from);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'maintenance', empty);
  if (loaded.environments.length !== 1) return fail(2, 'usage', `say which environment with --env (${loaded.environments.map((e) => e.name).join(', ')})`);
  const env = loaded.environments[0];
  let names: string[];
  try {
    names = chosen(env, options.name);
  } catch (err) {
    return fail(2, 'usage', (err as Error).message);
  }
  const target = await resolveTarget(options);
  // The lease as reconcile takes it (a real --table under --sim, --table with --no-lease: refused).
  const choice = await chooseLease(options, { command: 'maintenance', clock: target.clock, region: env.environment.spec.region });
  if ('refused' in choice) return fail(EXIT.usage, 'usage', choice.refused);
  const { adapters, calls } = target.adapters(env.environment.spec.region);
  const now = target.clock.now();
  const by = options.by?.trim() || `${ctx.io.env.USER ?? 'someone'}@${hostname()}`;
  const override = window !== undefined ? { by, reason: options.reason!.trim(), at: now, until: now + window } : undefined;
  if (options.output !== 'json') {
    out.note(`turning maintenance ${switched} for ${env.name}${override ? ` until ${utcMinute(override.until)}` : ''} in ${target.describe}…`);
  }
  let ran: ReconcileOutcome;
  const ctrlC = interruptOnCtrlC(ctx.io);
  try {
    ran = await reconcileEnvironment(env, {
      adapters,
      calls,
      clock: target.clock,
      store: choice.store,
      leaseTtlMs: choice.ttlMs,
      holder: cliHolder(),
      signal: ctrlC.signal,
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
  out.line(renderReport(report, { color: out.color.isColorSupported }).trimEnd());
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

export function registerMaintenance(program: Command, ctx: CliContext): void {
  addLeaseOptions(
    addEngineOptions(
      program
        .command('maintenance')
        .summary("switch an environment's entry points to their maintenance page and back, without a commit")
        .description(
          "`steady maintenance on --env ENV --for 2h --reason TEXT` switches the environment's Maintenances (or those --name " +
            'gives) on: the window, with who set it, why and until when, is written to the state table holding the ' +
            "environment's lease (like reconcile; --no-lease does not apply, the window needs the table), and a pass " +
            'switches CloudFront and the ALB at once; Ctrl-C stops the pass, records it and releases the lease. It ends by ' +
            'itself: the first pass after ' +
            '--for has passed switches back. `steady maintenance off --env ENV` ends it now. A Maintenance whose spec says ' +
            'maintenance: on stays on until a commit says off.\n\n' +
            MAINTENANCE_EXIT_CODES,
        )
        .argument('<on|off>', 'on: start a window; off: end it')
        .option('--for <duration>', 'with on: how long the window lasts (30m, 2h, 1d; at most 7d)')
        .option('--reason <text>', 'with on: why (shown in the reports, history and steady status)')
        .option('--by <who>', 'with on: who turns it on (default: $USER@host)')
        .option('--name <maintenance...>', 'only these Maintenances of the environment (default: all of them)'),
    ),
  )
    .addOption(outputOption())
    .action(async (state: string, paths: string[], options: MaintenanceOptions) => {
      if (state !== 'on' && state !== 'off') {
        const out = createOutput(ctx.io, options.output);
        ctx.exitCode = printFailure(out, 'maintenance', 2, { kind: 'usage', message: `expected on or off, got "${state}"` }, { environments: [] }, [
          `steady: expected on or off, got "${state}"`,
        ]);
        return;
      }
      ctx.exitCode = await run(state, paths, options, ctx);
    });
}
