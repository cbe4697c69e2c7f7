/**
 * Options and help sections several commands share. Part of what `steady --help` loads: commander,
 * the light output helpers and pure checks only.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { bucketNameProblem, normalizePrefix, parseS3Url } from '../../source/location.js';

/** `-o, --output <format>`, the same on every command; `plan` and `diff` also write Markdown (for pull requests). */
export function outputOption(formats: ('text' | 'json' | 'markdown')[] = ['text', 'json']): Option {
  const markdown = formats.includes('markdown') ? ', markdown for a pull-request comment or job summary' : '';
  return new Option('-o, --output <format>', `output format: text for people, json for machines${markdown}`).choices(formats).default('text');
}

/** `--color <when>`, the same on every command. */
export function colorOption(): Option {
  return new Option('--color <when>', 'colour the output: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces it), always, never')
    .choices(['auto', 'always', 'never'])
    .default('auto');
}

/** What `--env` takes, said in each command's help. */
export const ENV_HELP = "only this environment, or those a pattern matches ('shop-*', '*-prod', ? for one character); repeat it or give a comma-separated list for several";

/**
 * `-e, --env <name>`: one environment (or pattern, see ../patterns.ts) per flag, repeatable, or a
 * comma-separated list (`--env a --env b`, `--env a,b`), so that `--env shop-prod specs/` never
 * takes the path for a name.
 */
export function envOption(description = `${ENV_HELP} (default: every environment)`): Option {
  return new Option('-e, --env <name>', description).argParser((value: string, previous: string[] | undefined) => {
    const names = value.split(',').map((n) => n.trim());
    if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected an environment name or a comma-separated list of them, got "${value}"`);
    return [...new Set([...(previous ?? []), ...names])];
  });
}

/** `--env` of a command that acts on exactly one environment (retry, maintenance). */
export const ONE_ENV_HELP = "the environment (a name, or a pattern that matches one); needed when the specs have several";

/** Where specs come from when no path is given. */
export const DEFAULT_PATHS = ['specs/'];

/** Where a region comes from, said in every "no region" error and in `--region`'s help. */
export const REGION_SOURCES = '--region, AWS_REGION, or the region of the AWS profile (AWS_PROFILE, ~/.aws/config)';

/** `--region <region>`: for the state table, the spec bucket or the status bucket. */
export function regionOption(what: string): Option {
  return new Option('--region <region>', `the AWS region of ${what} (default: AWS_REGION, or the AWS profile's region)`);
}

/** `--table <name>` (or STEADY_TABLE): the state table. */
export function tableOption(): Option {
  return new Option('--table <name>', 'the state table (DynamoDB) for the lease, migration ledger and history').env('STEADY_TABLE');
}

/** The default of `--lease-ttl`, in seconds: DEFAULT_LEASE_TTL_MS of controller/reconcile.ts (not imported here: it is heavy; lease.test.ts checks they agree). */
export const DEFAULT_LEASE_TTL_SECONDS = 300;

/**
 * `--table` (or STEADY_TABLE), `--create-table`, `--no-lease` and `--lease-ttl`: the options of a
 * command that changes AWS, which takes the environment's lease or refuses (../lease.ts).
 */
export function addLeaseOptions(cmd: Command): Command {
  return cmd
    .addOption(tableOption())
    .option('--create-table', 'with --table: make the state table when it is missing (a local table for trying steady out, e.g. on dynalite)')
    .addOption(new Option('--no-lease', "change AWS without taking the environment's lease (nothing then keeps another writer out; the report says so)"))
    .addOption(new Option('--lease-ttl <seconds>', 'how long the lease lasts without renewal (renewed while the command runs)').default(String(DEFAULT_LEASE_TTL_SECONDS)));
}

/**
 * The options of the commands that load specs and talk to AWS (plan, reconcile, verify, retry):
 * spec paths, `--from`, `--env`, `--sim`, `--region`, and `--color`.
 */
export function addEngineOptions(cmd: Command, envHelp = `${ENV_HELP} (default: every environment)`): Command {
  return cmd
    .argument('[paths...]', 'spec files, or directories searched for *.yaml and *.yml (default: specs/)')
    .addOption(
      new Option('--from <s3-url>', 'the latest commit published with `steady publish` (s3://bucket/prefix) instead of local files').argParser((value: string) => {
        try {
          parseS3Url(value);
        } catch (err) {
          throw new InvalidArgumentError((err as Error).message);
        }
        return value;
      }),
    )
    .addOption(envOption(envHelp))
    .addOption(new Option('--sim <fixture>', 'run against a simulated AWS account seeded from this YAML fixture (controller/sim/README.md) instead of AWS'))
    .addOption(regionOption('the spec bucket of --from and the state table of --table'))
    .addOption(colorOption());
}

/** `--table`, `--region`, `--env`, `--output` and `--color`: the commands that read the state table. */
export function addTableOptions(cmd: Command): Command {
  return cmd
    .addOption(tableOption())
    .addOption(regionOption('the state table'))
    .addOption(envOption(`${ENV_HELP} (default: every environment in the table)`))
    .addOption(outputOption())
    .addOption(colorOption());
}

/** `--bucket`, checked against S3's naming rules before anything is sent. */
export function bucketOption(): Option {
  return new Option('--bucket <name>', 'the S3 bucket the specs are published to').makeOptionMandatory().argParser((value: string) => {
    const problem = bucketNameProblem(value);
    if (problem) throw new InvalidArgumentError(problem);
    return value;
  });
}

/** `--prefix`, normalised to `''` or `a/b/`. */
export function prefixOption(): Option {
  return new Option('--prefix <prefix>', 'key prefix under the bucket, e.g. shop-prod').default('', 'the bucket root').argParser((value: string) => {
    try {
      return normalizePrefix(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  });
}

/**
 * The help's closing sections, as kubectl and gh write them: examples (a comment, then the command)
 * and the exit codes.
 *
 * @example
 * helpAfter(cmd, [['Check the specs in specs/', 'steady validate']], 'Exit codes: 0 valid, 1 invalid, 2 usage error.');
 */
export function helpAfter(cmd: Command, examples: [what: string, command: string][], exitCodes: string): Command {
  const lines = ['', 'Examples:'];
  for (const [what, command] of examples) lines.push(`  # ${what}`, `  ${command}`, '');
  lines.push(...fill(exitCodes, 80));
  return cmd.addHelpText('after', lines.join('\n'));
}

/** Words filled into lines of at most `width` columns (commander wraps descriptions, not these). */
function fill(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}
