/**
 * `steady plan` and `steady reconcile`: one pass per environment, against AWS or, with `--sim`,
 * the simulated account. `plan` changes nothing and exits like `terraform plan -detailed-exitcode`
 * (0 nothing to do, 2 changes pending, 1 errors); `reconcile` converges and exits 0 when everything
 * converged or is on its way, 1 when something failed.
 */
import type { Command } from 'commander';
import type { PassResult } from '../model/pass.js';
import { reconcileEnvironment } from '../reconcile.js';
import { buildReport, renderReport, summaryLine } from '../report/index.js';
import type { CliContext } from './main.js';
import { addEngineOptions, addTableOption, cliHolder, loadEnvironments, printLoadFailure, resolveTarget, stateStoreOf, type EngineOptions } from './engine.js';
import { createOutput, outputOption, type OutputFormat } from './output.js';

interface PassCommandOptions extends EngineOptions {
  output: OutputFormat;
  dryRun?: boolean;
  notify?: boolean;
}

/** Exit code of a plan: 1 errors, 2 changes pending, 0 nothing to do. */
export function planExitCode(results: PassResult[]): number {
  if (results.some((r) => r.outcome !== 'ok' || r.resources.some((s) => s.phase === 'Failed'))) return 1;
  return results.some((r) => (r.plan?.actions.length ?? 0) > 0) ? 2 : 0;
}

/** Exit code of a reconcile: 1 when a pass or a change failed, else 0 (a held lease is not an error). */
export function reconcileExitCode(results: PassResult[]): number {
  const failed = results.some((r) => r.outcome === 'failed' || r.outcomes.some((o) => o.state === 'failed') || r.resources.some((s) => s.phase === 'Failed'));
  return failed ? 1 : 0;
}

async function runPasses(paths: string[], options: PassCommandOptions, ctx: CliContext, mode: 'plan' | 'reconcile'): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const loaded = await loadEnvironments(paths, options.env, options.from);
  if (!loaded.ok) {
    printLoadFailure(out, loaded);
    return 1;
  }
  const target = await resolveTarget(options);
  const results: PassResult[] = [];
  const reports = [];
  for (const env of loaded.environments) {
    const region = env.environment.spec.region;
    const { adapters, calls } = target.adapters(region);
    const dryRun = mode === 'plan' || options.dryRun === true;
    if (options.output === 'text') out.note(`${mode === 'plan' ? 'planning' : dryRun ? 'planning (dry run)' : 'reconciling'} ${env.name} in ${target.describe}…`);
    const { result, recordError, notified } = await reconcileEnvironment(env, {
      adapters,
      calls,
      clock: target.clock,
      store: stateStoreOf(options.table, region, target.clock),
      notify: options.notify ? {} : undefined,
      holder: cliHolder(),
      dryRun,
      specVersion: loaded.commit,
      specSource: loaded.source,
    });
    results.push(result);
    const report = buildReport(result);
    reports.push({ ...report, summary: summaryLine(report) });
    if (options.output === 'text') {
      out.line(renderReport(report, { color: out.color.isColorSupported }));
      if (recordError) out.line(out.color.yellow(`warning: the pass was not recorded: ${recordError}`));
      for (const f of notified?.failed ?? []) out.line(out.color.yellow(`warning: could not notify ${f.channel}: ${f.error}`));
    }
  }
  if (options.output === 'json') out.json(reports.length === 1 ? reports[0] : reports);
  return mode === 'plan' ? planExitCode(results) : reconcileExitCode(results);
}

export function registerPlan(program: Command, ctx: CliContext): void {
  addEngineOptions(
    program
      .command('plan')
      .summary('show what steady would change, changing nothing')
      .description(
        'Observe each environment and show what a pass would do: the field-level differences and the actions, like ' +
          '"terraform plan". Nothing is changed.\n\nExit codes: 0 nothing to do, 2 changes pending, 1 errors (invalid specs, ' +
          'failed resources, AWS unreachable).',
      ),
  )
    .addOption(outputOption())
    .action(async (paths: string[], options: PassCommandOptions) => {
      ctx.exitCode = await runPasses(paths, options, ctx, 'plan');
    });
}

export function registerReconcile(program: Command, ctx: CliContext): void {
  addTableOption(
    addEngineOptions(
      program
        .command('reconcile')
        .summary('run one pass: converge each environment to its specs')
        .description(
          'Run one pass per environment: observe, plan, converge, and print what was done. With --table, the pass takes the ' +
            "environment's lease (one writer at a time), uses the migration ledger and is recorded for `steady status` and " +
            '`steady history`.\n\nExit codes: 0 converged or converging, 1 something failed.',
        ),
    ),
  )
    .option('--dry-run', 'plan and report only: change nothing')
    .option('--notify', "send the Slack/email notifications of the Environment's spec")
    .addOption(outputOption())
    .action(async (paths: string[], options: PassCommandOptions) => {
      ctx.exitCode = await runPasses(paths, options, ctx, 'reconcile');
    });
}
