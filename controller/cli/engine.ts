/**
 * What the commands that talk to AWS share: loading the specs and choosing environments, and
 * choosing the account: real AWS through default-configured SDK clients (credentials from the
 * default chain; `AWS_ENDPOINT_URL*` redirect them), or the simulated account with `--sim FILE`.
 */
import { matchEnvironments } from './patterns.js';
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { countCalls, createAwsClients, type AwsClients } from '../aws/clients.js';
import { systemClock, type Clock } from '../clock.js';
import { ConfigError } from '../errors.js';
import type { Adapters } from '../observe/observe.js';
import { createAdapters } from '../pass.js';
import type { SimAccount } from '../sim/account.js';
import { simAccountFromFile } from '../sim/fixture.js';
import { loadPublishedSpecs, parseS3Url } from '../source/index.js';
import { specSourceOf } from '../source/commit.js';
import type { SpecSource } from '../model/pass.js';
import { formatProblem, loadSpecPaths, type EnvironmentSpecs, type SpecProblem } from '../spec/load.js';
import { printFailure, type JsonError } from './json.js';
import type { Output } from './output.js';

/** Options every AWS-facing command takes. */
export interface EngineOptions {
  env?: string[];
  sim?: string;
  table?: string;
  /** `s3://bucket/prefix`: the published commit instead of local files. */
  from?: string;
}

const DEFAULT_PATHS = ['specs/'];

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .argument('[paths...]', 'spec files, or directories searched for *.yaml and *.yml', DEFAULT_PATHS)
    .addOption(new Option('--from <s3-url>', 'the latest commit published with `steady apply` (s3://bucket/prefix) instead of local files'))
    .addOption(new Option('-e, --env <name...>', "only these environments; patterns with * and ? ('shop-*'), comma lists (default: every environment in the specs)"))
    .addOption(new Option('--sim <fixture>', 'run against a simulated AWS account seeded from this YAML fixture instead of AWS'));
}

export function addTableOption(cmd: Command): Command {
  return cmd.addOption(new Option('--table <name>', 'the state table (DynamoDB) for the lease, migration ledger and history').env('STEADY_TABLE'));
}

/** Why the specs could not be loaded: `invalidSpecs`, `unknownEnvironment`, `usage`, or the published commit's error kind. */
export interface LoadFailure {
  ok: false;
  kind: string;
  problems: SpecProblem[];
  message?: string;
}

/** Loaded specs of the chosen environments (and the commit they came from), or what to print. */
export async function loadEnvironments(
  paths: string[],
  only?: string[],
  from?: string,
): Promise<{ ok: true; environments: EnvironmentSpecs[]; commit?: string; source?: SpecSource } | LoadFailure> {
  let all: EnvironmentSpecs[];
  let commit: string | undefined;
  let source: SpecSource | undefined;
  if (from) {
    if (paths !== DEFAULT_PATHS) return { ok: false, kind: 'usage', problems: [], message: 'give spec paths or --from, not both' };
    let location;
    try {
      location = parseS3Url(from);
    } catch (err) {
      return { ok: false, kind: 'usage', problems: [], message: (err as Error).message };
    }
    const published = await loadPublishedSpecs(location);
    // Anything wrong with the published commit means no action at all, never a partial one.
    if (!published.ok) return { ok: false, kind: published.error.kind, problems: published.error.problems ?? [], message: `${published.error.message}; nothing was done` };
    all = published.specSet.environments;
    commit = published.commit;
    source = specSourceOf(published.manifest);
  } else {
    const loaded = await loadSpecPaths(paths);
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
  text.push(failure.message ? `steady: ${failure.message}` : message);
  return { error: { kind: failure.kind, message, ...(failure.problems.length > 0 ? { problems: failure.problems } : {}) }, text };
}

/**
 * Prints why the specs could not be loaded and returns 1: the problems on stdout as text, or, with
 * `--output json`, the command's document with `error` on stdout and the text on stderr.
 */
export function printLoadFailure(out: Output, failure: LoadFailure, command: string, emptyLists: object): number {
  const { error, text } = loadFailure(failure);
  return printFailure(out, command, 1, error, emptyLists, text);
}

/** Where the commands act: one clock, and per region a set of adapters. */
export interface Target {
  clock: Clock;
  /** Set with `--sim`. */
  account?: SimAccount;
  adapters(region: string): { adapters: Adapters; clients: AwsClients; calls: ReturnType<typeof countCalls> };
  describe: string;
}

/** Real AWS, or the simulated account of `--sim`. */
export async function resolveTarget(options: { sim?: string }): Promise<Target> {
  if (options.sim) {
    const account = await simAccountFromFile(options.sim);
    const clients = account.clients();
    const calls = countCalls(clients);
    const adapters = createAdapters(clients);
    return {
      clock: account.clock,
      account,
      describe: `the simulated account ${account.accountId} (${options.sim})`,
      adapters: (region) => {
        if (region !== account.region) throw new ConfigError(`the simulated account is in ${account.region}, the environment in ${region}`);
        return { adapters, clients, calls };
      },
    };
  }
  const byRegion = new Map<string, ReturnType<Target['adapters']>>();
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
  };
}

/** The lease holder name of a CLI run. */
export function cliHolder(): string {
  return `cli:${process.env.USER ?? 'someone'}@${hostname()}:${process.pid}`;
}
