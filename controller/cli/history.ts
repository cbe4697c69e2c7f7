/**
 * `steady status` and `steady history`: what the state table remembers, read without calling ECS
 * or Route 53. The table is named by `--table` or `STEADY_TABLE`; its region by `--region` or
 * the SDK's default (`AWS_REGION`).
 */
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Option, type Command } from 'commander';
import { systemClock } from '../clock.js';
import { SteadyError } from '../errors.js';
import { renderReport, renderReportJson, type Report } from '../report/index.js';
import { historyView, parseSince, renderHistory, renderStatus, statusRows } from '../state/views.js';
import { StateStore } from '../state/store.js';
import { loadSiteData, writeStatusSite } from '../status-page/index.js';
import type { CliContext } from './main.js';
import { addTableOption } from './engine.js';
import { createOutput, outputOption, type OutputFormat } from './output.js';

interface TableOptions {
  table?: string;
  region?: string;
  env?: string;
  output: OutputFormat;
  since?: string;
  html?: string;
}

function storeOf(options: TableOptions): StateStore {
  if (!options.table) throw new SteadyError('no state table: give --table NAME or set STEADY_TABLE');
  return new StateStore({ client: new DynamoDBClient(options.region ? { region: options.region } : {}), tableName: options.table, clock: systemClock });
}

async function guarded(ctx: CliContext, format: OutputFormat, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (err) {
    createOutput(ctx.io, format).note(`steady: ${(err as Error).message}`);
    return 1;
  }
}

function common(cmd: Command): Command {
  return addTableOption(cmd)
    .addOption(new Option('--region <region>', 'region of the state table (default: the SDK default, e.g. AWS_REGION)'))
    .addOption(new Option('-e, --env <name>', 'only this environment'))
    .addOption(outputOption());
}

export function registerStatus(program: Command, ctx: CliContext): void {
  common(
    program
      .command('status')
      .summary('show every resource with its conditions, from the state table')
      .description(
        'Show every resource steady manages, its phase, reason and age, as the last pass recorded them. Reads only the state table.\n\n' +
          'With --html DIR, write the status page instead: one self-contained HTML file (DIR/index.html) with the environments, ' +
          'their resources, the wiring chain of every service, the drift timeline and the recent passes.',
      )
      .option('--html <dir>', 'write the status page into this folder (index.html) and print its path')
      .option('--since <when>', 'with --html: how far back the drift timeline goes (90m, 24h, 7d, or a date)', '7d'),
  ).action(async (options: TableOptions) => {
    ctx.exitCode = await guarded(ctx, options.output, async () => {
      const out = createOutput(ctx.io, options.output);
      const now = systemClock.now();
      if (options.html !== undefined) {
        const since = parseSince(options.since ?? '7d', now);
        const file = await writeStatusSite(options.html, await loadSiteData(storeOf(options), { environment: options.env, now, sinceMs: now - since }));
        if (out.format === 'json') out.json({ page: file });
        else out.line(`Status page: ${file}\nOpen it in a browser: ${pathToFileURL(file).href}`);
        return;
      }
      const statuses = await storeOf(options).loadStatuses(options.env);
      if (out.format === 'json') out.json(statusRows(statuses, now));
      else out.line(renderStatus(statuses, { now, color: out.color.isColorSupported }));
    });
  });
}

export function registerHistory(program: Command, ctx: CliContext): void {
  common(
    program
      .command('history')
      .summary('list passes and drift events with time-to-heal, from the state table')
      .description('List the passes and the drift events (what differed, when it was seen and healed) of the given period.')
      .option('--since <when>', 'how far back: a duration (90m, 24h, 7d) or a date', '24h'),
  ).action(async (options: TableOptions) => {
    ctx.exitCode = await guarded(ctx, options.output, async () => {
      const out = createOutput(ctx.io, options.output);
      const now = systemClock.now();
      const since = parseSince(options.since ?? '24h', now);
      const store = storeOf(options);
      const [passes, drift] = await Promise.all([store.listPasses(options.env, since), store.listDrift(options.env, since)]);
      if (out.format === 'json') out.json(historyView(passes, drift, now));
      else out.line(renderHistory(passes, drift, { now, color: out.color.isColorSupported }));
    });
  });
}

export function registerReport(program: Command, ctx: CliContext): void {
  common(
    program
      .command('report')
      .summary("render a pass's report again, from the state table")
      .description('Print the report of the last recorded pass of an environment, as `steady reconcile` printed it.')
      .requiredOption('--last', 'the last pass (the only choice for now)'),
  ).action(async (options: TableOptions) => {
    ctx.exitCode = await guarded(ctx, options.output, async () => {
      const out = createOutput(ctx.io, options.output);
      if (!options.env) throw new SteadyError('say which environment with --env');
      const pass = await storeOf(options).lastPass(options.env);
      if (!pass) throw new SteadyError(`no pass of environment ${options.env} is recorded in table ${options.table}`);
      if (!pass.report) throw new SteadyError(`the last pass of ${options.env} (${pass.passId}) was recorded without its report; \`steady history\` shows its summary`);
      const report = pass.report as Report;
      if (out.format === 'json') out.line(renderReportJson(report).trimEnd());
      else out.line(renderReport(report, { color: out.color.isColorSupported }));
    });
  });
}
