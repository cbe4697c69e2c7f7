/**
 * What the commands that talk to AWS share: loading the specs and choosing environments, and
 * choosing the account: real AWS through default-configured SDK clients (credentials from the
 * default chain; `AWS_ENDPOINT_URL*` redirect them), or the simulated account with `--sim FILE` (a
 * simulated organisation when the fixture has `accounts`). Each environment is reached as the
 * Lambda reaches it (aws/accounts.ts): in another account through the role its spec names.
 */
import { hostname } from 'node:os';
import { EnvironmentAccounts, type EnvironmentTarget } from '../aws/accounts.js';
import { countCalls, createAwsClients, type AwsClients } from '../aws/clients.js';
import type { Unreadable } from '../model/actual.js';
import { systemClock, type Clock } from '../clock.js';
import { ConfigError } from '../errors.js';
import type { Adapters } from '../observe/observe.js';
import { createAdapters } from '../pass.js';
import type { SimAccount } from '../sim/account.js';
import { simAccountFromFile, simOrganizationFromFile } from '../sim/fixture.js';
import type { SimOrganization } from '../sim/organization.js';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { createS3Client, loadPublishedSpecs, parseS3Url } from '../source/index.js';
import { clientRegion } from '../aws/region.js';
import { DEFAULT_PATHS, REGION_SOURCES } from './commands/options.js';
import type { CliContext } from './context.js';
import { specSourceOf } from '../source/commit.js';
import type { SpecSource } from '../model/pass.js';
import { formatProblem, loadSpecPaths, type EnvironmentSpecs, type SpecProblem } from '../spec/load.js';
import { document, type JsonError } from './json.js';
import { matchEnvironments } from './patterns.js';
import type { Output } from './output.js';

/** Options every AWS-facing command takes. */
export interface EngineOptions {
  env?: string[];
  sim?: string;
  table?: string;
  /** `s3://bucket/prefix`: the published commit instead of local files. */
  from?: string;
  /** The region of the spec bucket (`--from`) and the state table (`--table`). */
  region?: string;
  /** `--create-table`: make the state table when it is missing. */
  createTable?: boolean;
}

/** Why the specs could not be loaded: `invalidSpecs`, `unknownEnvironment`, `usage`, or the published commit's error kind. */
export interface LoadFailure {
  ok: false;
  kind: string;
  problems: SpecProblem[];
  message?: string;
}

/**
 * Loaded specs of the chosen environments (and the commit they came from), or what to print. The
 * paths (default specs/) or `--from`; a usage error (both, a bad URL, no region for the bucket)
 * ends the command.
 */
export async function loadEnvironments(
  ctx: CliContext,
  paths: string[],
  options: { env?: string[]; from?: string; region?: string } = {},
): Promise<{ ok: true; environments: EnvironmentSpecs[]; commit?: string; source?: SpecSource } | LoadFailure> {
  const { env: only, from } = options;
  let all: EnvironmentSpecs[];
  let commit: string | undefined;
  let source: SpecSource | undefined;
  if (from) {
    if (paths.length > 0) ctx.usageError('give spec paths or --from, not both');
    let location;
    try {
      location = parseS3Url(from);
    } catch (err) {
      ctx.usageError(`--from: ${(err as Error).message}`);
    }
    const s3 = createS3Client(options.region);
    await requireRegion(ctx, s3, `the spec bucket ${location.bucket}`);
    const published = await loadPublishedSpecs({ ...location, s3 });
    // Anything wrong with the published commit means no action at all, never a partial one.
    if (!published.ok) return { ok: false, kind: published.error.kind, problems: published.error.problems ?? [], message: `${published.error.message}; nothing was done` };
    all = published.specSet.environments;
    commit = published.commit;
    source = specSourceOf(published.manifest);
  } else {
    const loaded = await loadSpecPaths(paths.length > 0 ? paths : DEFAULT_PATHS);
    if (!loaded.ok) return { ok: false, kind: 'invalidSpecs', problems: loaded.problems };
    all = loaded.specSet.environments;
  }
  if (!only || only.length === 0) return { ok: true, environments: all, commit, source };
  // `--env` takes patterns ('shop-*'); one that matches nothing is an error, never an empty selection.
  const { selected, unmatched: unknown } = matchEnvironments(all.map((e) => e.name), only);
  if (unknown.length > 0) {
    return { ok: false, kind: 'unknownEnvironment', problems: [], message: `no environment ${unknown.join(', ')} in the specs (there are: ${all.map((e) => e.name).join(', ') || 'none'})` };
  }
  return { ok: true, environments: all.filter((e) => selected.includes(e.name)), commit, source };
}

/** Why the specs could not be loaded: for people (lines) and for `--output json` (an error object). */
export function loadFailure(failure: LoadFailure): { error: JsonError; text: string[] } {
  const text = failure.problems.map(formatProblem);
  const message = failure.message ?? `${failure.problems.length} problem${failure.problems.length === 1 ? '' : 's'} in the specs: nothing was done`;
  text.push(failure.message ? `error: ${failure.message}` : message);
  return { error: { kind: failure.kind, message, ...(failure.problems.length > 0 ? { problems: failure.problems } : {}) }, text };
}

/**
 * Prints why the specs could not be loaded and returns 1: the problems and the error on stderr, and
 * with `--output json` the command's document with `error` on stdout.
 */
export function printLoadFailure(out: Output, failure: LoadFailure, command: string, emptyLists: object): number {
  const { error, text } = loadFailure(failure);
  for (const line of text) out.note(line);
  if (out.format === 'json') out.json(document(command, 1, { ...emptyLists, error }));
  return 1;
}

/** One region's adapters (in steady's own account or the one a role is in), and its call counter. */
export type Regional = { adapters: Adapters; clients: AwsClients; calls: ReturnType<typeof countCalls> };

/** Where the commands act: one clock, and per account and region a set of adapters. */
export interface Target {
  clock: Clock;
  /** Set with `--sim`: the simulated account (with an organisation fixture, the controller's own). */
  account?: SimAccount;
  /** Set with `--sim` and a fixture that has `accounts`. */
  organization?: SimOrganization;
  /** The adapters of `region` in steady's own account. */
  adapters(region: string): Regional;
  /**
   * The adapters of an environment: in its region, and in another account through the role its
   * spec names (aws/accounts.ts, the session named after `passId`); or why it cannot be reached.
   */
  reach(env: EnvironmentTarget, passId: string): Promise<{ ok: true; regional: Regional } | { ok: false; unreadable: Unreadable }>;
  /** Why this target cannot run an environment at all (a one-account `--sim` and another region or a role), asked of every environment before any pass. */
  refusal(env: EnvironmentTarget): string | undefined;
  describe: string;
}

/**
 * Why an environment could not be read, in one line, for the commands that act on one environment
 * and stop (`retry`, `maintenance`): `lost-eu could not be read: role arn:… in account 3109… could not
 * be assumed: AccessDenied: User: … is not authorized …`. The external id is never in it.
 */
export function unreachableWords(environment: string, target: EnvironmentTarget, unreadable: Unreadable): string {
  return `${environment} could not be read: ${unreachableWhat(target, unreadable)}: ${unreadable.awsName}: ${unreadable.message}`;
}

/** What could not be done: `role arn:… in account 3109… could not be assumed`, or what could not be reached. */
export function unreachableWhat(target: EnvironmentTarget, unreadable: Pick<Unreadable, 'what'>): string {
  const account = target.account ?? target.roleArn?.split(':')[4];
  return target.roleArn ? `role ${target.roleArn} in account ${account} could not be assumed` : `${unreadable.what} could not be reached`;
}

/** Whether a fixture file describes an organisation (`accounts:`); a file that cannot be read is left to the reader to explain. */
async function isOrganizationFixture(path: string): Promise<boolean> {
  try {
    const doc = parse(await readFile(path, 'utf8'), { maxAliasCount: 0 }) as unknown;
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'accounts' in doc;
  } catch {
    return false;
  }
}

/** `reach` over EnvironmentAccounts, one set of adapters per role and region. */
function reachThrough(accounts: EnvironmentAccounts): Target['reach'] {
  const byKey = new Map<string, Regional>();
  return async (env, passId) => {
    const reached = await accounts.reach(env, passId);
    if (!reached.ok) return reached;
    let regional = byKey.get(reached.key);
    if (!regional) {
      regional = { clients: reached.clients, calls: countCalls(reached.clients), adapters: createAdapters(reached.clients) };
      byKey.set(reached.key, regional);
    }
    return { ok: true, regional };
  };
}

/** Real AWS, or the simulated account (or organisation) of `--sim`. */
export async function resolveTarget(options: { sim?: string }): Promise<Target> {
  if (options.sim && (await isOrganizationFixture(options.sim))) {
    const org = await simOrganizationFromFile(options.sim);
    const accounts = new EnvironmentAccounts({ clock: org.clock, sts: org.stsClient(), clientsFor: (region, credentials) => org.clients({ region, ...(credentials ? { credentials } : {}) }) });
    const reach = reachThrough(accounts);
    const byRegion = new Map<string, Regional>();
    return {
      clock: org.clock,
      account: org.home,
      organization: org,
      describe: `the simulated organisation of ${org.home.accountId} (${options.sim})`,
      adapters: (region) => {
        let entry = byRegion.get(region);
        if (!entry) {
          const clients = org.clients({ region });
          entry = { clients, calls: countCalls(clients), adapters: createAdapters(clients) };
          byRegion.set(region, entry);
        }
        return entry;
      },
      reach,
      refusal: () => undefined,
    };
  }
  if (options.sim) {
    const account = await simAccountFromFile(options.sim);
    const clients = account.clients();
    const calls = countCalls(clients);
    const adapters = createAdapters(clients);
    const refusal = (env: EnvironmentTarget): string | undefined => {
      if (env.region !== account.region) return `the simulated account is in ${account.region}, the environment in ${env.region}`;
      if (env.roleArn) return `the environment assumes ${env.roleArn}, but ${options.sim} describes one account: give a fixture with "accounts" (a simulated organisation)`;
      return undefined;
    };
    const adaptersIn = (region: string): Regional => {
      const refused = refusal({ region });
      if (refused) throw new ConfigError(refused);
      return { adapters, clients, calls };
    };
    return {
      clock: account.clock,
      account,
      describe: `the simulated account ${account.accountId} (${options.sim})`,
      adapters: adaptersIn,
      reach: async (env) => {
        const refused = refusal(env);
        if (refused) throw new ConfigError(refused);
        return { ok: true, regional: adaptersIn(env.region) };
      },
      refusal,
    };
  }
  const accounts = new EnvironmentAccounts({ clock: systemClock });
  const reach = reachThrough(accounts);
  const byRegion = new Map<string, Regional>();
  return {
    clock: systemClock,
    describe: 'AWS',
    adapters: (region) => {
      let entry = byRegion.get(region);
      if (!entry) {
        const clients = createAwsClients({ region });
        entry = { clients, calls: countCalls(clients), adapters: createAdapters(clients) };
        byRegion.set(region, entry);
      }
      return entry;
    },
    reach,
    refusal: () => undefined,
  };
}

/**
 * Ends the command with a usage error when `client` has no region (none given, none in AWS_REGION
 * or the profile), saying where a region comes from, before any call fails with "Region is missing".
 *
 * @example
 * await requireRegion(ctx, s3, 'the spec bucket my-steady-specs');
 */
export async function requireRegion(ctx: CliContext, client: { config: { region: () => Promise<string> } }, what: string): Promise<void> {
  if (!(await clientRegion(client))) ctx.usageError(`no AWS region for ${what}: it comes from ${REGION_SOURCES}`);
}

/** The lease holder name of a CLI run. */
export function cliHolder(): string {
  return `cli:${process.env.USER ?? 'someone'}@${hostname()}:${process.pid}`;
}
