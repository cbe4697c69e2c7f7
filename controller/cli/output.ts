/**
 * How the CLI writes: to injected streams (so tests run commands in-process and read what they
 * printed), coloured only for a person at a terminal, and as JSON for machines.
 */
import { Option } from 'commander';
import pc from 'picocolors';

/** Where a command writes, and what it knows of its terminal. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export type OutputFormat = 'text' | 'json' | 'markdown';

/** What a command prints through. */
export interface Output {
  format: OutputFormat;
  /** Colour functions; they return their input unchanged when colour is off. */
  color: ReturnType<typeof pc.createColors>;
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

/**
 * An Output for one command run. Colour is on only when stdout is a terminal and NO_COLOR is
 * unset or empty (https://no-color.org), and never for JSON.
 *
 * @example
 * const out = createOutput(io, options.output);
 * out.line(out.color.green('valid'));
 */
export function createOutput(io: CliIo, format: OutputFormat): Output {
  const colored = format === 'text' && io.stdout.isTTY === true && !io.env.NO_COLOR;
  return {
    format,
    color: pc.createColors(colored),
    line: (text = '') => void io.stdout.write(`${text}\n`),
    note: (text = '') => void io.stderr.write(`${text}\n`),
    json: (value) => void io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** `-o, --output <format>`, the same on every command; `plan` and `diff` also write Markdown (for pull requests). */
export function outputOption(formats: OutputFormat[] = ['text', 'json']): Option {
  const markdown = formats.includes('markdown') ? ', markdown for a pull-request comment or job summary' : '';
  return new Option('-o, --output <format>', `output format: text for people, json for machines${markdown}`).choices(formats).default('text');
}

/** `1 environment`, `2 environments`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
