/**
 * The `steady` command. Each command lives in its own module and registers itself on the
 * program (`registerValidate`); this file only wires them up and turns the outcome into an exit
 * code: 0 success, 1 the command failed (invalid specs, ...), 2 usage error (unknown command or
 * option, bad argument).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApply } from './apply.js';
import { registerCommits } from './commits.js';
import { processIo, type CliIo } from './output.js';
import { registerDemo } from './demo.js';
import { registerPlan, registerReconcile } from './reconcile.js';
import { registerRender } from './render.js';
import { registerHistory, registerReport, registerStatus } from './history.js';
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
  registerReconcile(program, ctx);
  registerDemo(program, ctx);
  registerRetry(program, ctx);
  registerStatus(program, ctx);
  registerHistory(program, ctx);
  registerReport(program, ctx);
  registerApply(program, ctx);
  registerCommits(program, ctx);
  registerVerify(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    io.stderr.write(`steady: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILED;
  }
  return ctx.exitCode;
}
