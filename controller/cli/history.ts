/**
 * `steady status` and `steady history`: what the state table remembers, read without calling ECS
 * or Route 53. The table is named by `--table` or `STEADY_TABLE`; its region by `--region` or
 * the SDK's default (`AWS_REGION`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Option, type Command } from 'commander';
import { systemClock } from '../clock.js';
import { AwsCallError, SteadyError } from '../errors.js';
import { redactReport, renderReport, type Report } from '../report/index.js';
import { historyJson, parseSince, renderHistory, renderStatus, statusJson } from '../state/views.js';
import { StateStore } from '../state/store.js';
import type { CliContext } from './main.js';
import { addTableOption } from './engine.js';
import { document, passJson } from './json.js';
import { createOutput, outputOption, type OutputFormat } from './output.js';

interface TableOptions {
  table?: string;
  region?: string;
  env?: string;
  output: OutputFormat;
  since?: string;
}

function storeOf(options: TableOptions): StateStore {
  if (!options.table) throw new SteadyError('no state table: give --table NAME or set STEADY_TABLE');
  return new StateStore({ client: new DynamoDBClient(options.region ? { region: options.region } : {}), tableName: options.table, clock: systemClock });
}

/**
 * Runs a command's body; a failure is said on stderr and, with `--output json`, as the command's
 * document (its lists empty, `error` set) on stdout.
 */
async function guarded(ctx: CliContext, format: OutputFormat, command: string, emptyLists: object, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (err) {
    const out = createOutput(ctx.io, format);
    out.note(`steady: ${(err as Error).message}`);
    if (format === 'json') {
      const kind = err instanceof AwsCallError ? err.awsCause.kind : err instanceof SteadyError ? err.name : 'error';
      out.json(document(command, 1, { ...emptyLists, error: { kind, message: (err as Error).message } }));
    }
    return 1;
  }
}

function common(cmd: Command): Command {
  return addTableOption(cmd)
    .addOption(new Option('--region <region>', 'region of the state table (default: the SDK default, e.g. AWS_REGION)'))
    .addOption(new Option('-e, --env <name>', 'only this environment'))
    .addOption(outputOption());
}

/**
 * A report as recorded: one written before verdicts were kept has none; it is shown as what its
 * outcome said then (a failed or skipped pass, or "converged" for one that ran).
 */
function storedReport(report: Report): Report {
  if (report.verdict !== undefined) return report;
  const old = report as Report & { outcome: Report['outcome'] };
  return { ...old, verdict: old.outcome === 'ok' ? 'converged' : old.outcome, causes: [] };
}

export function registerStatus(program: Command, ctx: CliContext): void {
  common(
    program
      .command('status')
      .summary('show every resource with its conditions, from the state table')
      .description(
        'Show every resource steady manages, its phase, reason and age, as the last pass recorded them. Reads only the state table.\n\n' +
          'Exit codes: 0 shown, 1 the state table could not be read, 2 usage error.',
      ),
  ).action(async (options: TableOptions) => {
    ctx.exitCode = await guarded(ctx, options.output, 'status', { resources: [] }, async () => {
      const out = createOutput(ctx.io, options.output);
      const statuses = await storeOf(options).loadStatuses(options.env);
      const now = systemClock.now();
      if (out.format === 'json') out.json(document('status', 0, { resources: statusJson(statuses, now) }));
      else out.line(renderStatus(statuses, { now, color: out.color.isColorSupported }));
    });
  });
}

export function registerHistory(program: Command, ctx: CliContext): void {
  common(
    program
      .command('history')
      .summary('list passes and drift events with time-to-heal, from the state table')
      .description(
        'List the passes (with their verdict) and the drift events (what differed, when it was seen and healed) of the given period.\n\n' +
          'Exit codes: 0 listed, 1 the state table could not be read, 2 usage error.',
      )
      .option('--since <when>', 'how far back: a duration (90m, 24h, 7d) or a date', '24h'),
  ).action(async (options: TableOptions) => {
    ctx.exitCode = await guarded(ctx, options.output, 'history', { passes: [], drift: [] }, async () => {
      const out = createOutput(ctx.io, options.output);
      const now = systemClock.now();
      const since = parseSince(options.since ?? '24h', now);
      const store = storeOf(options);
      const [passes, drift] = await Promise.all([store.listPasses(options.env, since), store.listDrift(options.env, since)]);
      if (out.format === 'json') out.json(document('history', 0, { since: new Date(since).toISOString(), ...historyJson(passes, drift, now) }));
      else out.line(renderHistory(passes, drift, { now, color: out.color.isColorSupported }));
    });
  });
}

export function registerReport(program: Command, ctx: CliContext): void {
  common(
    program
      .command('report')
      .summary("render a pass's report again, from the state table")
      .description(
        'Print the report of the last recorded pass of an environment, as `steady reconcile` printed it.\n\n' +
          'Exit codes: 0 printed, 1 no pass recorded or the state table could not be read, 2 usage error.',
      )
      .requiredOption('--last', 'the last pass (the only choice for now)'),
  ).action(async (options: TableOptions) => {
    ctx.exitCode = await guarded(ctx, options.output, 'report', { environments: [] }, async () => {
      const out = createOutput(ctx.io, options.output);
      if (!options.env) throw new SteadyError('say which environment with --env');
      const pass = await storeOf(options).lastPass(options.env);
      if (!pass) throw new SteadyError(`no pass of environment ${options.env} is recorded in table ${options.table}`);
      if (!pass.report) throw new SteadyError(`the last pass of ${options.env} (${pass.passId}) was recorded without its report; \`steady history\` shows its summary`);
      // Redacted again: a report stored by an earlier version of steady was not.
      const report = storedReport(redactReport(pass.report as Report));
      if (out.format === 'json') out.json(document('report', 0, { environments: [passJson(report)] }));
      else out.line(renderReport(report, { color: out.color.isColorSupported }));
    });
  });
}
