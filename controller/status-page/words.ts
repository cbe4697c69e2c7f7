/**
 * Every word and mark the status page shows for a state, in one place: the state table's phases,
 * the wiring links' statuses, pass outcomes, action states and drift resolutions. The page shows
 * the stored values as they are (`phase`, `reason`, `message`); this only says how each reads and
 * which colour it gets, so aligning the page with a new vocabulary is an edit here. A value this
 * file does not know is shown as it is, in the `unknown` tone.
 */

/** The colours of the page: each comes with a text label or a mark, never colour alone. */
export type Tone = 'ok' | 'info' | 'warn' | 'bad' | 'unknown' | 'muted';

export interface Word {
  label: string;
  tone: Tone;
}

/** Resource phases (`StoredStatus.phase`), most urgent first: the order the page lists them in. */
export const PHASES: Record<string, Word & { rank: number }> = {
  Failed: { label: 'Failed', tone: 'bad', rank: 0 },
  Blocked: { label: 'Blocked', tone: 'bad', rank: 1 },
  Unknown: { label: 'Unknown', tone: 'unknown', rank: 2 },
  Drifted: { label: 'Drifted', tone: 'warn', rank: 3 },
  Progressing: { label: 'Progressing', tone: 'info', rank: 4 },
  Synced: { label: 'Synced', tone: 'ok', rank: 5 },
};

export function phaseWord(phase: string): Word & { rank: number } {
  return PHASES[phase] ?? { label: phase, tone: 'unknown', rank: 2 };
}

/** Wiring link statuses, with the mark `steady verify` prints. */
export const LINKS: Record<string, Word & { mark: string }> = {
  ok: { label: 'connected', mark: '✓', tone: 'ok' },
  broken: { label: 'broken', mark: '✗', tone: 'bad' },
  unknown: { label: 'could not be read', mark: '?', tone: 'unknown' },
  skipped: { label: 'not checked', mark: '–', tone: 'muted' },
};

export function linkWord(status: string): Word & { mark: string } {
  return LINKS[status] ?? { label: status, mark: '?', tone: 'unknown' };
}

/**
 * What a pass was: its verdict (`PassRecord.verdict`, model/outcome.ts, the word the exit code
 * and the alarms go by), or for a pass recorded before verdicts were kept its outcome.
 */
export const PASS_OUTCOMES: Record<string, Word> = {
  converged: { label: 'converged', tone: 'ok' },
  converging: { label: 'converging', tone: 'info' },
  changesPending: { label: 'changes pending', tone: 'warn' },
  drifted: { label: 'drifted (observe mode)', tone: 'warn' },
  unrepaired: { label: 'cannot converge', tone: 'bad' },
  unknown: { label: 'AWS not read', tone: 'bad' },
  ok: { label: 'ran', tone: 'ok' },
  failed: { label: 'failed', tone: 'bad' },
  skipped: { label: 'skipped', tone: 'warn' },
  interrupted: { label: 'interrupted', tone: 'warn' },
};

export function passWord(pass: string | { verdict?: string; outcome: string }): Word {
  const word = typeof pass === 'string' ? pass : (pass.verdict ?? pass.outcome);
  return PASS_OUTCOMES[word] ?? { label: word, tone: 'unknown' };
}

/** What became of an action (`ReportAction.state`). */
export const ACTIONS: Record<string, Word> = {
  done: { label: 'done', tone: 'ok' },
  failed: { label: 'failed', tone: 'bad' },
  blocked: { label: 'blocked', tone: 'bad' },
  held: { label: 'held', tone: 'warn' },
  pending: { label: 'in progress', tone: 'info' },
  notRun: { label: 'not run', tone: 'muted' },
};

export function actionWord(state: string): Word {
  return ACTIONS[state] ?? { label: state, tone: 'unknown' };
}

/** How a drift ended (`DriftRecord.resolution`; none while it is open). */
export const DRIFT: Record<string, Word> = {
  healed: { label: 'healed by steady', tone: 'ok' },
  gone: { label: 'no longer seen', tone: 'muted' },
  open: { label: 'still open', tone: 'warn' },
};

export function driftWord(resolution: string | undefined): Word {
  return DRIFT[resolution ?? 'open'] ?? { label: resolution!, tone: 'unknown' };
}

/** Environment modes (`PassRecord.mode`). */
export const MODES: Record<string, Word> = {
  enforce: { label: 'enforce', tone: 'ok' },
  observe: { label: 'observe only', tone: 'warn' },
};

export function modeWord(mode: string): Word {
  return MODES[mode] ?? { label: mode, tone: 'unknown' };
}

/** Maintenance as the overview says it (`StoredStatus.maintenance.state`). */
export const MAINTENANCE: Record<string, Word> = {
  on: { label: 'in maintenance', tone: 'warn' },
  off: { label: 'off', tone: 'muted' },
};

export function maintenanceWord(state: string): Word {
  return MAINTENANCE[state] ?? { label: state, tone: 'unknown' };
}
