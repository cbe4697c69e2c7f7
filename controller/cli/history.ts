/**
 * `steady status`, `steady history` and `steady report`: what the state table remembers, read
 * without calling ECS or Route 53 (their definitions are commands/state.ts). The table is named by
 * `--table` or `STEADY_TABLE`; its region by `--region` or the SDK's default (`AWS_REGION`, the
 * profile). Without either, the command says where they come from (a usage error).
 */
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock } from '../clock.js';
import { AwsCallError, ConfigError, SteadyError } from '../errors.js';
import { createS3Client } from '../source/s3.js';
import { redactReport, renderReport, type Report } from '../report/index.js';
import { historyJson, parseSince, renderHistory, renderStatus, statusJson } from '../state/views.js';
import { StateStore } from '../state/store.js';
import type { PassRecord } from '../state/records.js';
import { loadSiteData, MAX_URL_TTL_SECONDS, statusPageUrl, writeStatusSite } from '../status-page/index.js';
import { isUsageError, type CliContext } from './context.js';
import { requireRegion } from './engine.js';
import { document, passJson } from './json.js';
import { matchEnvironments } from './patterns.js';
import { createOutput, type Output, type OutputFormat } from './output.js';
import { printSummary, statusSummaryRow } from './summary.js';

interface TableOptions {
  table?: string;
  region?: string;
  env?: string[];
  output: OutputFormat;
  since?: string;
  html?: string;
  url?: boolean;
  statusBucket?: string;
  expires: string;
  pass?: string;
}

/** `15m`, `1h`, `2d`: how long a --url link works, at most 7 days (SigV4's limit). */
function expirySeconds(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!m || seconds < 1 || seconds > MAX_URL_TTL_SECONDS) throw new ConfigError(`--expires: expected a duration from 1s to 7d such as 15m, 1h or 2d; got "${text}"`);
  return seconds;
}

/** `steady status --url`: a short-lived link to the page the Lambda writes to the status bucket. */
async function printStatusUrl(ctx: CliContext, options: TableOptions, out: Output): Promise<void> {
  if (!options.statusBucket) ctx.usageError('no status bucket: give --status-bucket NAME or set STEADY_STATUS_BUCKET (the StatusBucketName output of the deployed stack)');
  const seconds = usage(ctx, () => expirySeconds(options.expires));
  const now = systemClock.now();
  const s3 = createS3Client(options.region);
  await requireRegion(ctx, s3, `the status bucket ${options.statusBucket}`);
  const url = await statusPageUrl({ s3, bucket: options.statusBucket, expiresInSeconds: seconds });
  const expiresAt = new Date(now + seconds * 1000).toISOString();
  if (out.format === 'json') out.json(document('status', 0, { resources: [], url, expiresAt }));
  else {
    out.line(url);
    out.note(`This link opens the status page until ${expiresAt}, for anyone who has it.`);
  }
}

/** A flag's value read by `read`; what it says is wrong with it is a usage error. */
function usage<T>(ctx: CliContext, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError) ctx.usageError(err.message);
    throw err;
  }
}

/** The state table of `--table`, in the region of `--region` or the SDK's default; a usage error without either. */
async function storeOf(ctx: CliContext, options: TableOptions): Promise<StateStore> {
  if (!options.table) ctx.usageError('no state table: give --table NAME or set STEADY_TABLE');
  const client = new DynamoDBClient(options.region ? { region: options.region } : {});
  await requireRegion(ctx, client, `the state table ${options.table}`);
  return new StateStore({ client, tableName: options.table, clock: systemClock });
}

/** An `--env` that names no environment the table knows (its JSON error kind: unknownEnvironment, as for specs). */
class UnknownEnvironment extends SteadyError {
  override readonly name = 'unknownEnvironment';
}

/**
 * The environments `--env` names (names or patterns such as 'shop-*', see patterns.ts) among those
 * the table has recorded a pass of; undefined without `--env` (every environment). A name or pattern
 * that matches none is an error that says which the table has, never an empty answer.
 */
async function chosenEnvironments(store: StateStore, env: string[] | undefined): Promise<string[] | undefined> {
  if (!env || env.length === 0) return undefined;
  const known = (await store.listEnvironments()).map((e) => e.environment).sort();
  const { selected, unmatched } = matchEnvironments(known, env);
  if (unmatched.length > 0) {
    throw new UnknownEnvironment(`no environment ${unmatched.join(', ')} in table ${store.tableName} (it has passes of: ${known.join(', ') || 'none'})`);
  }
  return selected;
}

/**
 * Runs a command's body; a failure is said on stderr and, with `--output json`, as the command's
 * document (its lists empty, `error` set) on stdout. A usage error goes on to main.ts.
 */
async function guarded(ctx: CliContext, format: OutputFormat, command: string, emptyLists: object, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (err) {
    if (isUsageError(err)) throw err;
    const out = createOutput(ctx.io, format);
    out.note(`error: ${(err as Error).message}`);
    if (format === 'json') {
      const kind = err instanceof AwsCallError ? err.awsCause.kind : err instanceof SteadyError ? err.name : 'error';
      out.json(document(command, 1, { ...emptyLists, error: { kind, message: (err as Error).message } }));
    }
    return 1;
  }
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

/** `steady status` (its definition is commands/state.ts). */
export function status(ctx: CliContext, options: TableOptions): Promise<number> {
  return guarded(ctx, options.output, 'status', { resources: [] }, async () => {
    const out = createOutput(ctx.io, options.output);
    const now = systemClock.now();
    if (options.url) {
      if (options.html !== undefined) ctx.usageError('give --html DIR or --url, not both');
      return printStatusUrl(ctx, options, out);
    }
    const store = await storeOf(ctx, options);
    const only = await chosenEnvironments(store, options.env);
    if (options.html !== undefined) {
      const since = usage(ctx, () => parseSince(options.since ?? '7d', now));
      const data = await loadSiteData(store, { environments: only, now, sinceMs: now - since });
      const file = await writeStatusSite(options.html, data);
      if (out.format === 'json') out.json(document('status', 0, { resources: [], page: file }));
      else out.line(`Status page: ${file}\nOpen it in a browser: ${pathToFileURL(file).href}`);
      return;
    }
    const statuses = only ? (await Promise.all(only.map((env) => store.loadStatuses(env)))).flat() : await store.loadStatuses();
    if (out.format === 'json') out.json(document('status', 0, { resources: statusJson(statuses, now) }));
    else {
      const environments = [...new Set(statuses.map((s) => s.environment))].sort();
      if (environments.length > 1) {
        const verdicts = new Map((await store.listEnvironments()).map((e) => [e.environment, e.lastVerdict]));
        printSummary(out, environments.map((env) => statusSummaryRow(env, verdicts.get(env), statuses.filter((s) => s.environment === env).map((s) => s.phase))));
      }
      out.line(renderStatus(statuses, { now, color: out.color.isColorSupported }));
    }
  });
}

/** `steady history` (its definition is commands/state.ts). */
export function history(ctx: CliContext, options: TableOptions): Promise<number> {
  return guarded(ctx, options.output, 'history', { passes: [], drift: [] }, async () => {
    const out = createOutput(ctx.io, options.output);
    const now = systemClock.now();
    const since = usage(ctx, () => parseSince(options.since ?? '24h', now));
    const store = await storeOf(ctx, options);
    const only = await chosenEnvironments(store, options.env);
    const each = only ?? [undefined];
    const [passes, drift] = await Promise.all([
      Promise.all(each.map((env) => store.listPasses(env, since))).then((l) => l.flat().sort((a, b) => b.startedAt - a.startedAt)),
      Promise.all(each.map((env) => store.listDrift(env, since))).then((l) => l.flat()),
    ]);
    // Maintenance switches are kept per environment: those of --env, or of every environment with a pass in the window.
    const environments = only ?? [...new Set(passes.map((p) => p.environment))];
    const maintenance = (await Promise.all(environments.map((e) => store.listMaintenanceEvents(e, since)))).flat().sort((a, b) => b.at - a.at);
    if (out.format === 'json') out.json(document('history', 0, { since: new Date(since).toISOString(), ...historyJson(passes, drift, now, maintenance) }));
    else out.line(renderHistory(passes, drift, { now, color: out.color.isColorSupported }, maintenance));
  });
}

/** `steady report` (its definition is commands/state.ts): the last pass of each environment, or `--pass ID`. */
export function report(ctx: CliContext, options: TableOptions): Promise<number> {
  return guarded(ctx, options.output, 'report', { environments: [] }, async () => {
    const out = createOutput(ctx.io, options.output);
    const store = await storeOf(ctx, options);
    const passes = options.pass !== undefined ? [await passById(store, options.pass)] : await lastPasses(store, options);
    const reports = passes.map((pass) => {
      if (!pass.report) throw new SteadyError(`pass ${pass.passId} was recorded without its report; \`steady history\` shows its summary`);
      // Redacted again: a report stored by an earlier version of steady was not.
      return storedReport(redactReport(pass.report as Report));
    });
    if (out.format === 'json') out.json(document('report', 0, { environments: reports.map((r) => passJson(r)) }));
    else out.line(reports.map((r) => renderReport(r, { color: out.color.isColorSupported, width: out.width }).trimEnd()).join('\n\n'));
  });
}

async function passById(store: StateStore, passId: string): Promise<PassRecord> {
  const pass = await store.passById(passId);
  if (!pass) throw new SteadyError(`no pass ${passId} is recorded in table ${store.tableName} (\`steady history\` lists the pass ids)`);
  return pass;
}

/** The last pass of each environment asked for, or of every environment in the table. */
async function lastPasses(store: StateStore, options: TableOptions): Promise<PassRecord[]> {
  const names = (await chosenEnvironments(store, options.env)) ?? (await store.listEnvironments()).map((e) => e.environment).sort();
  if (names.length === 0) throw new SteadyError(`no pass is recorded in table ${store.tableName}`);
  return Promise.all(
    names.map(async (env) => {
      const pass = await store.lastPass(env);
      if (!pass) throw new SteadyError(`no pass of environment ${env} is recorded in table ${store.tableName}`);
      return pass;
    }),
  );
}
