/**
 * `steady plan` and `steady reconcile`: one pass per environment, against AWS or, with `--sim`,
 * the simulated account. The exit code is the verdict of the passes (model/outcome.ts), the same
 * verdict the report's first line, the Lambda's answer and its metrics carry.
 */
import { unreachablePass } from '../aws/accounts.js';
import { EXIT, exitCode, passOutcome } from '../model/outcome.js';
import { newPassId } from '../pass.js';
import { reconcileEnvironment, skippedResult, type LeaseReport, type ReconcileOutcome } from '../reconcile.js';
import { buildReport, renderReport, type Report } from '../report/index.js';
import { renderFailureMarkdown, renderPlanMarkdown } from '../report/markdown.js';
import { document, passJson } from './json.js';
import type { CliContext } from './context.js';
import { cliHolder, loadEnvironments, loadFailure, printLoadFailure, resolveTarget, type EngineOptions } from './engine.js';
import { chooseLease, interruptOnCtrlC, type LeaseChoice, type LeaseCliOptions } from './lease.js';
import { createOutput, type Output, type OutputFormat } from './output.js';
import { progressPrinter } from './progress.js';
import { passSummaryRow, printSummary } from './summary.js';

interface PassCommandOptions extends EngineOptions, LeaseCliOptions {
  output: OutputFormat;
  dryRun?: boolean;
  notify?: boolean;
  progress?: 'auto' | 'always' | 'never';
}

/** `steady plan [PATH...]` (its definition is commands/plan.ts). */
export function runPlan(ctx: CliContext, paths: string[], options: PassCommandOptions): Promise<number> {
  return runPasses(paths, options, ctx, 'plan');
}

/** `steady reconcile [PATH...]` (its definition is commands/plan.ts). */
export function runReconcile(ctx: CliContext, paths: string[], options: PassCommandOptions): Promise<number> {
  return runPasses(paths, options, ctx, 'reconcile');
}

/** The causes every report shares, printed once above them; undefined when they differ. */
function sharedCauses(reports: Report[]): Report['causes'] | undefined {
  const withCauses = reports.filter((r) => r.causes.length > 0);
  if (withCauses.length < 2) return undefined;
  const key = (r: Report) => JSON.stringify(r.causes.map((c) => [c.kind, c.text]));
  return withCauses.every((r) => key(r) === key(withCauses[0])) && withCauses.length === reports.length ? withCauses[0].causes : undefined;
}

function printText(out: Output, reports: { report: Report; run: ReconcileOutcome }[], plan: boolean): void {
  printSummary(out, reports.map(({ report }) => passSummaryRow(report)));
  const shared = sharedCauses(reports.map((r) => r.report));
  if (shared) {
    const line = `AWS could not be read: ${shared.map((c) => c.text).join('; ')}. Nothing was ${plan ? 'planned' : 'changed'}.`;
    out.line(out.color.bold(out.color.red(line)));
    for (const c of shared) out.line(`    ${c.advice}`);
    out.line();
  }
  reports.forEach(({ report, run }, i) => {
    if (i > 0) out.line();
    out.line(renderReport(report, { color: out.color.isColorSupported, width: out.width, causesSaidAbove: shared !== undefined }).trimEnd());
    const lease = leaseLine(run.lease, report.environment);
    if (lease) out.line(out.color.yellow(lease));
    if (run.recordError) out.line(out.color.yellow(`warning: the pass was not recorded: ${run.recordError}`));
    for (const f of run.notified?.failed ?? []) out.line(out.color.yellow(`warning: could not notify ${f.channel}: ${f.error}`));
  });
}

/** What a person should know about the lease of a run: none was taken, or it was lost or not released. */
export function leaseLine(lease: LeaseReport | undefined, environment: string): string | undefined {
  if (!lease) return undefined;
  if (lease.state === 'none') return `No lease: --no-lease was given, so nothing kept another writer out of ${environment} while this pass changed it.`;
  if (lease.end === 'lost') return `warning: the lease of ${environment} was lost: ${lease.message}`;
  if (lease.end === 'expires') return `warning: ${lease.message}`;
  return undefined;
}

async function runPasses(paths: string[], options: PassCommandOptions, ctx: CliContext, mode: 'plan' | 'reconcile'): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const dryRun = mode === 'plan' || options.dryRun === true;
  const lists = mode === 'plan' ? { environments: [] } : { dryRun, environments: [] };
  const loaded = await loadEnvironments(ctx, paths, options);
  if (!loaded.ok && options.output === 'markdown') {
    out.line(renderFailureMarkdown(mode, 1, loadFailure(loaded).text).trimEnd());
    return 1;
  }
  if (!loaded.ok) return printLoadFailure(out, loaded, mode, lists);
  const target = await resolveTarget(options);
  const progress = progressPrinter(ctx.io, options.progress ?? 'auto');
  // Decided for every environment before any is changed: a refusal changes nothing.
  const leases = new Map<string, LeaseChoice>();
  for (const env of loaded.environments) {
    const refused = target.refusal(env.environment.spec);
    if (refused) ctx.usageError(`${env.name}: ${refused}; nothing was done`);
    const choice = await chooseLease(mode === 'plan' ? { sim: options.sim } : options, {
      command: mode,
      clock: target.clock,
      region: env.environment.spec.region,
      dryRun,
      notifications: env.environment.spec.notifications,
    });
    if ('refused' in choice) ctx.usageError(choice.refused);
    leases.set(env.name, choice);
  }
  const ctrlC = dryRun ? undefined : interruptOnCtrlC(ctx.io);
  const reports: { report: Report; run: ReconcileOutcome }[] = [];
  try {
    for (const env of loaded.environments) {
      const lease = leases.get(env.name)!;
      if (ctrlC?.interrupted()) {
        const run = { result: skippedResult(env.name, target.clock.now(), 'skipped', 'stopped with Ctrl-C before this environment was reached') };
        reports.push({ report: buildReport(run.result, { env: ctx.io.env }), run });
        continue;
      }
      if (options.output !== 'json') out.note(`${mode === 'plan' ? 'planning' : dryRun ? 'planning (dry run)' : 'reconciling'} ${env.name} in ${target.describe}…`);
      const passId = newPassId(env.name, target.clock.now());
      const reached = await target.reach(env.environment.spec, passId);
      if (!reached.ok) {
        // Its role could not be assumed: nothing read, nothing changed, every resource unknown for that one reason.
        const run: ReconcileOutcome = { result: unreachablePass(env, reached.unreadable, { passId, now: target.clock.now(), dryRun, specVersion: loaded.commit, specSource: loaded.source }) };
        if (!dryRun && lease.store) await lease.store.savePass(run.result, undefined, { desired: env, report: buildReport(run.result) }).catch((err: Error) => (run.recordError = err.message));
        reports.push({ report: buildReport(run.result, { env: ctx.io.env }), run });
        continue;
      }
      const { adapters, calls } = reached.regional;
      const run = await reconcileEnvironment(env, {
        passId,
        adapters,
        calls,
        clock: target.clock,
        store: lease.store,
        noLease: lease.noLease,
        leaseTtlMs: lease.ttlMs,
        notify: options.notify ? {} : undefined,
        holder: cliHolder(),
        dryRun,
        signal: ctrlC?.signal,
        progress,
        specVersion: loaded.commit,
        specSource: loaded.source,
      });
      reports.push({ report: buildReport(run.result, { env: ctx.io.env }), run });
    }
  } finally {
    ctrlC?.dispose();
  }
  const verdicts = exitCode(dryRun ? 'plan' : 'reconcile', reports.map((r) => passOutcome(r.run.result).verdict));
  const code = ctrlC?.interrupted() ? EXIT.interrupted : verdicts;
  if (options.output === 'json') {
    const environments = reports.map(({ report, run }) => passJson(report, { notified: run.notified, recordError: run.recordError, lease: run.lease }));
    out.json(document(mode, code, { target: target.describe, ...(mode === 'reconcile' ? { dryRun } : {}), environments }));
  } else if (options.output === 'markdown') {
    out.line(renderPlanMarkdown(reports.map((r) => r.report), { exitCode: code, target: target.describe }).trimEnd());
  } else printText(out, reports, dryRun);
  return code;
}
