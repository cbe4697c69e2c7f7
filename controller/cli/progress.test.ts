import { describe, expect, it } from 'vitest';
import type { WaitProgress } from '../converge/converge.js';
import type { CliIo } from './output.js';
import { PROGRESS_INTERVAL_MS, progressPrinter } from './progress.js';

const wait = (now: number): WaitProgress => ({
  resource: 'Migration/db-migrate',
  waitingFor: 'migration db-migrate (task 1a2b3c4d)',
  status: 'RUNNING',
  since: 0,
  now,
  lastEvent: 'container app started',
});

function io(isTTY: boolean): { io: CliIo; written: string[] } {
  const written: string[] = [];
  return { io: { stdout: { write: () => true }, stderr: { write: (s: string) => written.push(s), isTTY }, env: {} }, written };
}

describe('progressPrinter', () => {
  it('prints on a terminal, at most one line every few seconds: what is awaited, for how long, the last event', () => {
    const { io: terminal, written } = io(true);
    let clock = 0;
    const print = progressPrinter(terminal, 'auto', () => clock)!;
    for (const t of [0, 1000, PROGRESS_INTERVAL_MS - 1, PROGRESS_INTERVAL_MS, PROGRESS_INTERVAL_MS + 10]) {
      clock = t;
      print(wait(75_000 + t));
    }
    expect(written).toEqual([
      '… Migration/db-migrate: waiting for migration db-migrate (task 1a2b3c4d): RUNNING, 1m 15s; container app started\n',
      '… Migration/db-migrate: waiting for migration db-migrate (task 1a2b3c4d): RUNNING, 1m 20s; container app started\n',
    ]);
  });

  it('prints nothing extra when stderr is piped, unless asked; never when told never', () => {
    expect(progressPrinter(io(false).io, 'auto')).toBeUndefined();
    expect(progressPrinter(io(true).io, 'never')).toBeUndefined();
    const { io: piped, written } = io(false);
    progressPrinter(piped, 'always')!(wait(5000));
    expect(written).toHaveLength(1);
  });
});
