/**
 * How the CLI writes: to injected streams (so tests run commands in-process and read what they
 * printed), coloured only when asked or for a person at a terminal, fitted to the terminal's width,
 * and as JSON for machines. Part of what `steady --help` loads: nothing heavy here.
 */
import pc from 'picocolors';

/** `--color`: `auto` colours for a terminal only. */
export type ColorMode = 'auto' | 'always' | 'never';

/** Where a command writes, and what it knows of its terminal. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  /** The `--color` given on the command line (main.ts sets it before a command runs). */
  color?: ColorMode;
}

export type OutputFormat = 'text' | 'json' | 'markdown';

/** What a command prints through. */
export interface Output {
  format: OutputFormat;
  /** Colour functions; they return their input unchanged when colour is off. */
  color: ReturnType<typeof pc.createColors>;
  /** Columns to fit text into: the terminal's width, or 100 when stdout is not a terminal. */
  width: number;
  /** A line of the command's result, on stdout. */
  line(text?: string): void;
  /** A line about the run rather than its result (summaries beside machine-readable output), on stderr. */
  note(text?: string): void;
  /** The whole result as JSON, on stdout. */
  json(value: unknown): void;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Width of text that is not going to a terminal (a file, a pipe, CI's log). */
export const PIPED_WIDTH = 100;

/**
 * Whether to colour a stream: `--color always|never` decides; with `auto` (the default),
 * `FORCE_COLOR` forces colour on (`FORCE_COLOR=0` or `false` off), then a non-empty `NO_COLOR`
 * (https://no-color.org) turns it off, and otherwise colour is on for a terminal only.
 */
export function colorEnabled(io: CliIo, stream: CliIo['stdout']): boolean {
  if (io.color === 'always') return true;
  if (io.color === 'never') return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (io.env.NO_COLOR) return false;
  return stream.isTTY === true;
}

/** Columns of a stream: the terminal's width (at least 40), or {@link PIPED_WIDTH} when it is not a terminal. */
export function widthOf(stream: CliIo['stdout']): number {
  return stream.isTTY === true && stream.columns ? Math.max(40, stream.columns) : PIPED_WIDTH;
}

/**
 * An Output for one command run. Never coloured for JSON.
 *
 * @example
 * const out = createOutput(io, options.output);
 * out.line(out.color.green('valid'));
 */
export function createOutput(io: CliIo, format: OutputFormat): Output {
  const colored = format === 'text' && colorEnabled(io, io.stdout);
  return {
    format,
    color: pc.createColors(colored),
    width: widthOf(io.stdout),
    line: (text = '') => void io.stdout.write(`${text}\n`),
    note: (text = '') => void io.stderr.write(`${text}\n`),
    json: (value) => void io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** `1 environment`, `2 environments`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
