/**
 * The `steady` command. Each command lives in its own module and registers itself on the
 * program (`registerValidate`); this file only wires them up and turns the outcome into an exit
 * code: 0 success, 1 the command failed (invalid specs, ...), 2 usage error (unknown command or
 * option, bad argument) — except for `plan` and `diff`, whose 2 means "changes pending": their
 * usage errors exit 1. `plan` and `reconcile` take theirs from the verdict of their passes (model/outcome.ts);
 * `reconcile` exits 3 when it was skipped (another run holds the lease).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApply } from './apply.js';
import { FORMAT_VERSION } from './contract.js';
import { registerCommits } from './commits.js';
import { processIo, type CliIo } from './output.js';
import { registerDemo } from './demo.js';
import { registerDiff } from './diff.js';
import { registerPlan, registerReconcile } from './reconcile.js';
import { registerRender } from './render.js';
import { registerHistory, registerReport, registerStatus } from './history.js';
import { registerImport } from './import.js';
import { registerRetry } from './retry.js';
import { registerValidate } from './validate.js';
import { registerVerify } from './verify.js';

/** What every command gets: where to write, and where to leave its exit code. */
export interface CliContext {
  io: CliIo;
  exitCode: number;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Runs the CLI and returns its exit code; never calls process.exit, so tests run it in-process.
 * `argv` is in `process.argv` form: the node binary and the script come first.
 *
 * @example
 * process.exitCode = await main(process.argv);
 * // in a test, capturing output:
 * const code = await main(['node', 'steady', 'validate', 'specs/'], { stdout, stderr, env: {} });
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const ctx: CliContext = { io, exitCode: EXIT_OK };
  const program = new Command('steady');
  // Before any .command(): subcommands copy these settings when they are created.
  program.exitOverride();
  program.configureOutput({
    writeOut: (text) => void io.stdout.write(text),
    writeErr: (text) => void io.stderr.write(text),
  });
  program
    .description('steady keeps ECS services, their task definitions, Route 53 aliases and migrations the way their YAML specs say.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .showHelpAfterError('(run steady --help for usage)');

  registerValidate(program, ctx);
  registerRender(program, ctx);
  registerPlan(program, ctx);
  registerDiff(program, ctx);
  registerReconcile(program, ctx);
  registerDemo(program, ctx);
  registerRetry(program, ctx);
  registerStatus(program, ctx);
  registerHistory(program, ctx);
  registerReport(program, ctx);
  registerApply(program, ctx);
  registerCommits(program, ctx);
  registerVerify(program, ctx);
  registerImport(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : usageError(argv.slice(2), err, io);
    io.stderr.write(`steady: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILED;
  }
  return ctx.exitCode;
}

/** Commander said what was wrong on stderr; with `--output json`, say it on stdout as JSON too. */
function usageError(args: string[], err: CommanderError, io: CliIo): number {
  // `plan` and `diff` exit like terraform plan -detailed-exitcode, where 2 means "changes pending".
  const code = ['plan', 'diff'].includes(args.find((a) => !a.startsWith('-')) ?? '') ? EXIT_FAILED : EXIT_USAGE;
  const json = args.some((a, i) => a === '--output=json' || a === '-ojson' || ((a === '-o' || a === '--output') && args[i + 1] === 'json'));
  if (json) {
    const message = err.message.replace(/^error: /, '');
    io.stdout.write(`${JSON.stringify({ formatVersion: FORMAT_VERSION, command: 'usage', exitCode: code, error: { kind: 'usage', message }, commandLine: args }, null, 2)}\n`);
  }
  return code;
}
