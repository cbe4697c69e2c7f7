/**
 * One writer per environment, from the command line: every command that changes AWS takes the
 * environment's lease in the state table (`--table`, or `STEADY_TABLE`), or refuses unless the
 * person says `--no-lease`. A simulated account (`--sim`) changes no real AWS and needs no lease,
 * and it never touches a real AWS service: with `--sim`, `--table` and `--notify` must point at
 * local stand-ins. Ctrl-C stops the work, and the lease is released before the process exits.
 *
 * Issue 19's `steady maintenance` and any other command that changes AWS define their options with
 * `addLeaseOptions` (commands/options.ts) and run with `chooseLease` and `withEnvironmentLease`.
 */
import { DescribeTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from '../clock.js';
import { PassInterruptedError } from '../errors.js';
import { clientRegion } from '../aws/region.js';
import { DEFAULT_LEASE_TTL_MS, type ReconcileOptions } from '../reconcile.js';
import type { NotificationsSpec } from '../report/index.js';
import { holdLease, type HeldLease, type LeaseEnd } from '../state/hold.js';
import { DEFAULT_LEASE_SAFETY_MARGIN_MS, StateStore } from '../state/store.js';
import { createStateTable } from '../state/table.js';
import type { CliIo } from './output.js';

/** What `--table`, `--create-table`, `--no-lease` and `--lease-ttl` say (defined by `addLeaseOptions` in commands/options.ts). */
export interface LeaseCliOptions {
  table?: string;
  /** `--create-table`: make the state table when it is missing. */
  createTable?: boolean;
  /** `--region`: the state table's region, when not the SDK's default. */
  region?: string;
  /** False with `--no-lease`. */
  lease?: boolean;
  /** Seconds, as given. */
  leaseTtl?: string;
  sim?: string;
  notify?: boolean;
}

/** How a command will keep other writers out, decided before it changes anything. */
export interface LeaseChoice {
  /** The state table holding the lease. */
  store?: StateStore;
  /** Without a store: why (`--no-lease`, or a simulated account). */
  noLease?: ReconcileOptions['noLease'];
  ttlMs: number;
}

/** The endpoint a default-configured client of the SDK will call, when one is configured (`AWS_ENDPOINT_URL*`, the shared config). */
async function configuredEndpoint(client: { config: object }): Promise<string | undefined> {
  const configured = (client.config as { serviceConfiguredEndpoint?: () => Promise<string | undefined> }).serviceConfiguredEndpoint;
  return configured ? await configured() : undefined;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when the client calls a server on this machine (a local stand-in), not AWS. */
export async function isLocal(client: { config: object; destroy(): void }): Promise<boolean> {
  try {
    const url = await configuredEndpoint(client);
    if (!url) return false;
    const host = new URL(url).hostname;
    return LOCAL_HOSTS.has(host) || host.endsWith('.localhost') || /^127\./.test(host);
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/** The lease TTL of `--lease-ttl`, in ms, or why it is not one. */
function leaseTtl(raw: string | undefined): number | string {
  const text = raw ?? String(DEFAULT_LEASE_TTL_MS / 1000);
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds >= 1)) return `--lease-ttl ${text}: expected a number of seconds, at least 1`;
  return Math.round(seconds * 1000);
}

/**
 * Decides how the command keeps other writers out, or why it refuses to run (a usage error: the
 * person must say more). Nothing is taken yet.
 *
 * @example
 * const choice = await chooseLease(options, { command: 'reconcile', clock: target.clock, region });
 * if ('refused' in choice) return fail(2, choice.refused);
 */
export async function chooseLease(
  options: LeaseCliOptions,
  context: { command: string; clock: Clock; region: string; dryRun?: boolean; notifications?: NotificationsSpec },
): Promise<LeaseChoice | { refused: string }> {
  const ttlMs = leaseTtl(options.leaseTtl);
  if (typeof ttlMs === 'string') return { refused: ttlMs };
  if (options.table && options.lease === false) return { refused: 'give --table (the lease is taken there) or --no-lease, not both' };
  if (options.sim) {
    const real = options.notify && !context.dryRun ? await realNotifyServices(context.region, context.notifications) : [];
    if (real.length > 0) {
      return {
        refused:
          `--sim --notify would reach the real ${real.map((r) => r.service).join(' and ')} for a simulated account: ` +
          `point ${real.map((r) => r.variable).join(', ')} (or AWS_ENDPOINT_URL) at local stand-ins, or leave out --notify`,
      };
    }
    if (!options.table) return { noLease: 'simulated', ttlMs };
    if (!(await isLocal(new DynamoDBClient({ region: context.region })))) {
      return {
        refused:
          `--sim runs against a simulated account, but --table ${options.table} is a DynamoDB table in AWS: the simulated passes and migration ledger would be written into it. ` +
          'Point AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL) at a local DynamoDB such as dynalite, or leave out --table (and STEADY_TABLE)',
      };
    }
  }
  if (options.table) return { store: await tableStore(options, context.region, context.clock, ttlMs), ttlMs };
  if (options.lease === false || context.dryRun) return { noLease: 'noLease', ttlMs };
  return {
    refused:
      `steady ${context.command} changes AWS, and without the environment's lease nothing keeps another writer (the Lambda, a colleague) out while it does: ` +
      'give the state table with --table NAME or STEADY_TABLE (the deployed stack\'s output StateTableName), or say --no-lease to go ahead without one',
  };
}

/** The AWS services the Environment's notifications would reach that are not local stand-ins. */
async function realNotifyServices(region: string, notifications: NotificationsSpec | undefined): Promise<{ service: string; variable: string }[]> {
  const used: { service: string; variable: string; client: () => { config: object; destroy(): void } }[] = [];
  const webhook = notifications?.slack?.webhookUrl;
  if (webhook && 'secretsManager' in webhook) used.push({ service: 'Secrets Manager', variable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER', client: () => new SecretsManagerClient({ region }) });
  if (webhook && 'ssmParameter' in webhook) used.push({ service: 'SSM', variable: 'AWS_ENDPOINT_URL_SSM', client: () => new SSMClient({ region }) });
  if (notifications?.email) used.push({ service: 'SES', variable: 'AWS_ENDPOINT_URL_SESV2', client: () => new SESv2Client({ region }) });
  const local = await Promise.all(used.map((u) => isLocal(u.client())));
  return used.filter((_, i) => !local[i]).map(({ service, variable }) => ({ service, variable }));
}

/**
 * The state table of `--table`, its lease's safety margin scaled to a short `--lease-ttl`. The table
 * is in the region given (`--region`), else the SDK's default region (AWS_REGION, the profile), else
 * the environment's own; with `--create-table` it is made when missing.
 */
async function tableStore(options: LeaseCliOptions, region: string, clock: Clock, ttlMs: number): Promise<StateStore> {
  let client = new DynamoDBClient(options.region ? { region: options.region } : {});
  if (!(await clientRegion(client))) client = new DynamoDBClient({ region });
  if (options.createTable) await ensureStateTable(client, options.table!);
  return new StateStore({ client, tableName: options.table!, clock, leaseSafetyMarginMs: Math.min(DEFAULT_LEASE_SAFETY_MARGIN_MS, Math.floor(ttlMs / 4)) });
}

/**
 * `--create-table`: makes the state table when it is missing, as the deploy app defines it, and
 * waits until it is ACTIVE (a local table for trying steady out, e.g. on dynalite).
 */
async function ensureStateTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  await createStateTable(client, table);
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: table });
}

/**
 * Runs `work` under the environment's lease when the choice has a table (LeaseHeldError when
 * another writer holds it), otherwise without one; the lease is released before it returns.
 *
 * @example
 * const { value, end } = await withEnvironmentLease(choice, 'shop-prod', cliHolder(), signal, (held) => retryResource(env, resource, adapters, held?.beforeChange));
 */
export async function withEnvironmentLease<T>(
  choice: LeaseChoice,
  environment: string,
  holder: string,
  signal: AbortSignal | undefined,
  work: (held: HeldLease | undefined) => Promise<T>,
): Promise<{ value: T; held?: HeldLease; end?: LeaseEnd }> {
  if (!choice.store) return { value: await work(undefined) };
  const held = await holdLease(choice.store, environment, holder, { ttlMs: choice.ttlMs, signal });
  try {
    const value = await work(held);
    return { value, held, end: await held.release() };
  } finally {
    await held.release();
  }
}

/** Words for a run without a lease, printed beside its report. */
export function noLeaseWords(choice: LeaseChoice, environment: string): string | undefined {
  return choice.noLease === 'noLease' ? `No lease: --no-lease was given, so nothing kept another writer out of ${environment} while steady changed it.` : undefined;
}

/**
 * Ctrl-C while a command changes AWS: the first stops the work where it is (nothing new starts,
 * what was done is recorded, the lease is released, exit 130); a second quits at once (the lease
 * then expires by itself). `dispose()` removes the handler.
 */
export function interruptOnCtrlC(io: CliIo): { signal: AbortSignal; interrupted(): boolean; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      io.stderr.write('steady: stopped at once; a lease still held expires by itself\n');
      process.exit(130);
    }
    io.stderr.write('steady: stopping: nothing new starts, what was done is recorded and the lease released (Ctrl-C again to quit at once)\n');
    controller.abort(new PassInterruptedError('aborted', 'stopped with Ctrl-C'));
  };
  process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    interrupted: () => controller.signal.aborted,
    dispose: () => void process.off('SIGINT', onSigint),
  };
}
