import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../cli/main.js';

/** Runs `steady ARGS...` in-process, as a pipe would see it (no TTY, no colour), and returns what it printed. */
export async function runCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'steady', ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  return { code, stdout, stderr };
}

/** The repository's `bin/steady.js`, the command users run. */
const BINARY = fileURLToPath(new URL('../../bin/steady.js', import.meta.url));

/**
 * Runs `node bin/steady.js ARGS...` as a child process, the way a user or CI runs it: its own
 * working directory, this process's environment (the tests' fake credentials and local endpoints)
 * plus `env`. Asynchronous, so that local servers in this process keep answering it.
 */
export function runBinary(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BINARY, ...args],
      { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(err);
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A `steady` process started with {@link spawnBinary}. */
export interface SteadyProcess {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when it exits: its exit code (null when killed by a signal) and output. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Starts `node bin/steady.js ARGS...` as its own process (so a test can race several, kill one, or
 * send it Ctrl-C), with this process's environment plus `env`.
 */
export function spawnBinary(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): SteadyProcess {
  const child = spawn(process.execPath, [BINARY, ...args], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}
