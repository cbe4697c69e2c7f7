/**
 * The CLI's start-up: how long `steady --version`, `steady --help` and `steady plan --help` take,
 * spawn to exit, as a person runs them (`node bin/steady.js ...`), after one run that builds the
 * cached bundle of the command definitions (bin/fast-start.js). Issue 22's target: under 300 ms.
 * `node -e 0` is measured beside them: on a loaded machine Node's own start-up is most of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, REPO_ROOT } from './coldstart.js';
import { median } from './stats.js';

export interface StartupMeasurement {
  command: string;
  runs: number;
  /** Spawn to exit, median and slowest (ms). */
  medianMs: number;
  maxMs: number;
}

/** `null`: Node alone (`node -e 0`), the floor every command stands on. */
const COMMANDS: (string[] | null)[] = [null, ['--version'], ['--help'], ['plan', '--help']];

/**
 * Runs each command `runs` times in fresh processes, with a cache folder of its own (the first,
 * unmeasured run builds the bundle there).
 */
export async function measureStartup(runs: number): Promise<StartupMeasurement[]> {
  const cache = await mkdtemp(path.join(tmpdir(), 'steady-bench-cache-'));
  const binary = path.join(REPO_ROOT, 'bin', 'steady.js');
  const env = { ...process.env, XDG_CACHE_HOME: cache };
  try {
    await run(process.execPath, [binary, '--version'], env);
    const results: StartupMeasurement[] = [];
    for (const args of COMMANDS) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await run(process.execPath, args ? [binary, ...args] : ['-e', '0'], env);
        times.push(performance.now() - start);
      }
      const r = (n: number) => Math.round(n * 10) / 10;
      results.push({ command: args ? `steady ${args.join(' ')}` : 'node -e 0', runs, medianMs: r(median(times)), maxMs: r(Math.max(...times)) });
    }
    return results;
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}
