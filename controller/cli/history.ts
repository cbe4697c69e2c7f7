/**
 * `steady status` and `steady history`: what the state table remembers, read without calling ECS
 * or Route 53. The table is named by `--table` or `STEADY_TABLE`; its region by `--region` or
 * the SDK's default (`AWS_REGION`).
 */
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Option, type Command } from 'commander';
import { systemClock } from '../clock.js';
import { AwsCallError, ConfigError, SteadyError } from '../errors.js';
import { createS3Client } from '../source/s3.js';
import { redactReport, renderReport, type Report } from '../report/index.js';
import { historyJson, parseSince, renderHistory, renderStatus, statusJson } from '../state/views.js';
import { StateStore } from '../state/store.js';
import { loadSiteData, MAX_URL_TTL_SECONDS, statusPageUrl, writeStatusSite } from '../status-page/index.js';
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
  html?: string;
  url?: boolean;
  statusBucket?: string;
  expires: string;
}

/** `15m`, `1h`, `2d`: how long a --url link works, at most 7 days (SigV4's limit). */
function expirySeconds(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!m || seconds < 1 || seconds > MAX_URL_TTL_SECONDS) throw new ConfigError(`--expires: expected a duration from 1s to 7d such as 15m, 1h or 2d; got "${text}"`);
  return seconds;
}

/** `steady status --url`: a short-lived link to the page the Lambda writes to the status bucket. */
async function printStatusUrl(options: TableOptions, out: ReturnType<typeof createOutput>): Promise<void> {
  if (!options.statusBucket) throw new SteadyError('no status bucket: give --status-bucket NAME or set STEADY_STATUS_BUCKET (the StatusBucketName output of the deployed stack)');
  const seconds = expirySeconds(options.expires);
  const now = systemClock.now();
  const url = await statusPageUrl({ s3: createS3Client(), bucket: options.statusBucket, expiresInSeconds: seconds });
  const expiresAt = new Date(now + seconds * 1000).toISOString();
  if (out.format === 'json') out.json(document('status', 0, { resources: [], url, expiresAt }));
  else {
    out.line(url);
    out.note(`This link opens the status page until ${expiresAt}, for anyone who has it.`);
  }
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
          'With --html DIR, write the status page instead: one self-contained HTML file (DIR/index.html) with the environments, ' +
          'their resources, the wiring chain of every service, the drift timeline and the recent passes.\n\n' +
          'Exit codes: 0 shown, 1 the state table (or the status bucket) could not be read, 2 usage error.',
      )
      .option('--html <dir>', 'write the status page into this folder (index.html) and print its path')
      .option('--since <when>', 'with --html: how far back the drift timeline goes (90m, 24h, 7d, or a date)', '7d')
      .option('--url', 'print a short-lived link to the status page the deployed Lambda keeps in its private status bucket')
      .addOption(new Option('--status-bucket <name>', 'with --url: the status bucket (the stack output StatusBucketName)').env('STEADY_STATUS_BUCKET'))
      .option('--expires <duration>', 'with --url: how long the link works (15m, 1h, up to 7d)', '15m'),
  ).action(async (options: TableOptions) => {
    ctx.exitCode = await guarded(ctx, options.output, 'status', { resources: [] }, async () => {
      const out = createOutput(ctx.io, options.output);
      const now = systemClock.now();
      if (options.url) {
        if (options.html !== undefined) throw new SteadyError('give --html DIR or --url, not both');
        return printStatusUrl(options, out);
      }
      if (options.html !== undefined) {
        const since = parseSince(options.since ?? '7d', now);
        const file = await writeStatusSite(options.html, await loadSiteData(storeOf(options), { environment: options.env, now, sinceMs: now - since }));
        if (out.format === 'json') out.json(document('status', 0, { resources: [], page: file }));
        else out.line(`Status page: ${file}\nOpen it in a browser: ${pathToFileURL(file).href}`);
        return;
      }
      const statuses = await storeOf(options).loadStatuses(options.env);
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
