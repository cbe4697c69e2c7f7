/**
 * Progress lines for the long waits of a pass (a migration task, a CodeDeploy deployment, a Route 53
 * change): on stderr, for a person at a terminal only, at most one line every few seconds, so that a
 * pass that waits for minutes is never silent and a pipe or a CI log gets nothing extra.
 */
import type { WaitProgress } from '../converge/converge.js';
import { formatDuration } from '../report/format.js';
import type { CliIo } from './output.js';

/** At most one progress line this often (real time). */
export const PROGRESS_INTERVAL_MS = 5000;

/** One progress line: what is awaited, where it is, for how long, and AWS's last word on it. */
export function progressLine(p: WaitProgress): string {
  return `… ${p.resource}: waiting for ${p.waitingFor}: ${p.status}, ${formatDuration(p.now - p.since)}${p.lastEvent ? `; ${p.lastEvent}` : ''}`;
}

/**
 * The progress callback of a command run, or undefined when no line should be printed: `auto`
 * prints only when stderr is a terminal.
 *
 * @example
 * await reconcileEnvironment(env, { ...options, progress: progressPrinter(ctx.io, 'auto') });
 */
export function progressPrinter(io: CliIo, when: 'auto' | 'always' | 'never', now: () => number = Date.now): ((p: WaitProgress) => void) | undefined {
  if (when === 'never' || (when === 'auto' && io.stderr.isTTY !== true)) return undefined;
  let last = Number.NEGATIVE_INFINITY;
  return (p) => {
    const t = now();
    if (t - last < PROGRESS_INTERVAL_MS) return;
    last = t;
    io.stderr.write(`${progressLine(p)}\n`);
  };
}
