/**
 * The `steady` command: builds the program from the command definitions (commands/), runs it, and
 * turns the outcome into an exit code: 0 success, 1 the command failed (invalid specs, ...), 2
 * usage error (unknown command or option, bad argument, a missing --table or region), said on
 * stderr with the command's usage line; except for `plan` and `diff`, whose 2 means "changes
 * pending": their usage errors exit 1. `plan` and `reconcile` take their codes from the verdict of their passes
 * (model/outcome.ts); `reconcile` exits 3 when it was skipped (another run holds the lease).
 *
 * Only commander and the definitions load here: each command's code (and the AWS SDK, zod, yaml
 * with it) is imported when that command runs, so `--help` and `--version` start at once.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, FORMAT_VERSION, type CliContext } from './context.js';
import { processIo, type CliIo, type ColorMode } from './output.js';

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliContext } from './context.js';

/** How `bin/steady.js` runs the CLI. */
export interface MainOptions {
  /** The version `--version` prints; read from package.json when not given. */
  version?: string;
  /** Runs before a command's code is imported (bin/steady.js registers the TypeScript loader). */
  beforeImport?: () => Promise<void>;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Runs the CLI and returns its exit code; never calls process.exit, so tests run it in-process.
 * `argv` is in `process.argv` form: the node binary and the script come first.
 *
 * @example
 * process.exitCode = await main(process.argv);
 * // in a test, capturing output:
 * const code = await main(['node', 'steady', 'validate', 'specs/'], { stdout, stderr, env: {} });
 */
export async function main(argv: string[], io: CliIo = processIo(), options: MainOptions = {}): Promise<number> {
  const args = argv.slice(2);
  let current: Command | undefined;
  const ctx: CliContext = {
    io,
    exitCode: EXIT_OK,
    beforeImport: options.beforeImport,
    usageError: (message) => {
      if (!current) throw new Error(`internal: a usage error outside a command: ${message}`);
      return current.error(`error: ${message}`, { exitCode: usageExitCode(args), code: 'steady.usage' });
    },
  };
  const program = buildProgram(ctx, options.version ?? packageVersion());
  program.hook('preAction', (_program, action) => {
    current = action;
    io.color = action.opts().color as ColorMode | undefined;
  });
  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : usageError(args, err, io);
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILED;
  }
  return ctx.exitCode;
}

/**
 * The program with every command defined. Building it loads no command's code.
 *
 * @example
 * const program = buildProgram(ctx, '0.1.0');
 */
export function buildProgram(ctx: CliContext, version: string): Command {
  const { io } = ctx;
  const program = new Command('steady');
  // Before any .command(): subcommands copy these settings when they are created.
  program.exitOverride();
  program.configureOutput({
    writeOut: (text) => void io.stdout.write(text),
    writeErr: (text) => void io.stderr.write(text),
    getOutHelpWidth: () => (io.stdout.isTTY && io.stdout.columns ? io.stdout.columns : 80),
    getErrHelpWidth: () => (io.stderr.isTTY && io.stderr.columns ? io.stderr.columns : 80),
  });
  program
    .description('steady keeps ECS services, their task definitions, Route 53 aliases and migrations the way their YAML specs say.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 success, 1 failed, 2 usage error (said on stderr with the usage',
        'line). plan and diff exit 2 for "changes", so their usage errors exit 1;',
        'reconcile exits 3 when another run holds the lease.',
        'Each command has examples and its exit codes in its help: steady help plan.',
      ].join('\n'),
    );

  for (const define of COMMANDS) define(program, ctx);

  // A usage error ends with the usage line of the command it is about.
  program.showHelpAfterError('usage: steady <command> [options]\n(steady --help lists the commands)');
  for (const cmd of program.commands) {
    cmd.showHelpAfterError(`usage: steady ${cmd.name()} ${cmd.usage()}\n(steady ${cmd.name()} --help shows the options and examples)`);
  }
  return program;
}

/**
 * The exit code of a usage error: 2, except for the commands whose 2 means "changes pending" (`plan`,
 * like terraform plan -detailed-exitcode, and `diff`): theirs is 1, so that a typo never reads as
 * changes. (`reconcile --dry-run` keeps 2 for usage errors: a reconcile's 2 is never "changes".)
 */
export const CHANGES_MEAN_2 = ['plan', 'diff'];

function usageExitCode(args: string[]): number {
  return CHANGES_MEAN_2.includes(args.find((a) => !a.startsWith('-')) ?? '') ? EXIT_FAILED : EXIT_USAGE;
}

/** Commander said what was wrong on stderr; with `--output json`, say it on stdout as JSON too. */
function usageError(args: string[], err: CommanderError, io: CliIo): number {
  const code = usageExitCode(args);
  const json = args.some((a, i) => a === '--output=json' || a === '-ojson' || ((a === '-o' || a === '--output') && args[i + 1] === 'json'));
  if (json) {
    const message = err.message.replace(/^error: /, '');
    io.stdout.write(`${JSON.stringify({ formatVersion: FORMAT_VERSION, command: 'usage', exitCode: code, error: { kind: 'usage', message }, commandLine: args }, null, 2)}\n`);
  }
  return code;
}
