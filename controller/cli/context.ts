/**
 * What every command shares, and how a command's code is loaded only when it runs. This module is
 * part of what `steady --help` loads, so it imports nothing heavy (see docs/architecture.md, "The
 * CLI: definitions load, commands are imported").
 */
import type { CliIo } from './output.js';

/** What every command gets: where to write, and where to leave its exit code. */
export interface CliContext {
  io: CliIo;
  exitCode: number;
  /**
   * Says a usage error as commander says its own (`error: ...` and the command's usage line, on
   * stderr; with `--output json` also the usage document on stdout) and ends the command with the
   * usage exit code: 2, or 1 for `plan`, whose 2 means "changes pending". Never returns.
   */
  usageError(message: string): never;
  /**
   * Runs before a command's code is imported. `bin/steady.js` registers the TypeScript loader here,
   * so that `--help` and `--version` never pay for it; in-process (tests) there is nothing to do.
   */
  beforeImport?: () => Promise<void>;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The version of the `--output json` documents (see contract.ts); readers should check it. */
export const FORMAT_VERSION = 1;

/**
 * True for a usage error on its way to main.ts (commander's, or {@link CliContext.usageError}'s). A
 * command that catches errors to report them lets these through. Told by its code, not its class:
 * the command's module may have loaded its own copy of commander.
 */
export function isUsageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'steady.usage' || code.startsWith('commander.'));
}

/** A command's code: the function its module exports, taking the context and commander's arguments. */
export type CommandRun<A extends unknown[]> = (ctx: CliContext, ...args: A) => Promise<number>;

/**
 * The action of a command whose code lives in another module, imported when the command runs (not
 * when the program is built): `--help` and the other commands never load it, nor what it imports
 * (the AWS SDK, zod, yaml). The function's result is the exit code.
 *
 * @example
 * program.command('validate').action(runs(ctx, () => import('../validate.js'), (m) => m.validate));
 */
export function runs<M, A extends unknown[]>(ctx: CliContext, load: () => Promise<M>, pick: (module: M) => CommandRun<A>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    await ctx.beforeImport?.();
    ctx.exitCode = await pick(await load())(ctx, ...args);
  };
}
