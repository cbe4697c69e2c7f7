/**
 * What a notification says, independent of where it is said: a title, the resource, and lines
 * (text, field diffs, actions, open problems). Slack renders it as mrkdwn, email as plain text and
 * HTML, so the channels say the same thing in the same words.
 */
import { formatDuration, plural, shortDigests, shownValue } from './format.js';
import { maintenanceSwitchWord, type ReportAction } from './model.js';
import type { Notification, NotificationKind } from './noise.js';

export type ViewLine =
  | { type: 'text'; text: string }
  /** What the resource's previous problem was. */
  | { type: 'was'; text: string }
  | { type: 'diff'; path: string; before: string; after: string }
  | { type: 'action'; state: ReportAction['state']; summary: string; why?: string }
  /** A digest entry. */
  | { type: 'open'; resource: string; state: string; forText: string; summary: string };

export interface NotificationView {
  kind: NotificationKind;
  /** `Drift detected`, `Healed in 1m 40s`, `Still failing for 1d 2h`. */
  title: string;
  resource: string;
  /** The reason code or AWS error name of a failure or block. */
  code?: string;
  lines: ViewLine[];
}

/**
 * What a set of notifications amounts to, for Slack headers and email subjects:
 * `1 failed, 1 blocked, 2 drifts detected, 1 drift healed`.
 */
export function notificationHeadline(notifications: Notification[]): string {
  const count = (p: (n: Notification) => boolean) => notifications.filter(p).length;
  const parts: string[] = [];
  const failed = count((n) => n.kind === 'failed');
  const blocked = count((n) => n.kind === 'blocked');
  const detected = count((n) => n.kind === 'detected');
  const reminders = count((n) => n.kind === 'reminder');
  const healedDrift = count((n) => n.kind === 'healed' && n.alertKind === 'drift');
  const resolved = count((n) => n.kind === 'healed' && n.alertKind !== 'drift');
  if (failed) parts.push(`${failed} failed`);
  if (blocked) parts.push(`${blocked} blocked`);
  if (detected) parts.push(`${plural(detected, 'drift')} detected`);
  if (reminders) parts.push(`${reminders} still open`);
  if (healedDrift) parts.push(`${plural(healedDrift, 'drift')} healed`);
  if (resolved) parts.push(`${resolved} resolved`);
  if (count((n) => n.kind === 'digest')) parts.push('daily digest');
  return parts.join(', ');
}

function title(n: Notification): string {
  switch (n.kind) {
    case 'detected':
      return n.detail?.blockedBy === 'observe' ? 'Drift detected (would change; nothing is changed in observe mode)' : n.detail?.outcome === 'wouldChange' ? 'Drift detected (a dry run: nothing was changed)' : 'Drift detected';
    case 'failed':
      return 'Failed';
    case 'blocked':
      return 'Blocked';
    case 'healed': {
      const switched = n.detail && maintenanceSwitchWord(n.detail);
      if (switched) return `Maintenance ${switched}`;
      const word = n.alertKind === 'drift' ? 'Healed' : 'Resolved';
      return n.timeToHealMs !== undefined ? `${word} in ${formatDuration(n.timeToHealMs)}` : word;
    }
    case 'reminder': {
      const word = n.alertKind === 'failure' ? 'Still failing' : n.alertKind === 'blocked' ? 'Still blocked' : 'Still drifted';
      return `${word} for ${formatDuration(n.openForMs ?? 0)}`;
    }
    case 'digest':
      return 'Daily digest';
  }
}

/**
 * The view of one notification. Digests in values are shortened (the JSON report keeps them
 * whole); the text is not escaped for any channel yet.
 */
export function viewNotification(n: Notification): NotificationView {
  const d = n.detail;
  const lines: ViewLine[] = [];
  const text = (t: string) => lines.push({ type: 'text', text: shortDigests(t) });
  const was = () => n.replaces && lines.push({ type: 'was', text: shortDigests(n.replaces) });
  const diff = () => {
    for (const f of d?.drift ?? []) lines.push({ type: 'diff', path: f.path, before: shownValue(f.before), after: shownValue(f.after) });
  };
  const actions = () => {
    for (const a of d?.actions ?? []) {
      const why = a.message && a.state !== 'done' ? (a.awsName && !a.message.includes(a.awsName) ? `${a.awsName}: ${a.message}` : a.message) : undefined;
      lines.push({ type: 'action', state: a.state, summary: shortDigests(a.summary), ...(why ? { why: shortDigests(why) } : {}) });
    }
  };
  switch (n.kind) {
    case 'digest': {
      const digest = n.digest!;
      text(`${digest.inSync} of ${plural(digest.resources, 'resource')} in sync.${digest.open.length ? '' : ' Nothing is open.'}`);
      for (const o of digest.open) {
        const state = o.alertKind === 'failure' ? 'failing' : o.alertKind === 'blocked' ? 'blocked' : 'drifted';
        lines.push({ type: 'open', resource: o.resource, state, forText: formatDuration(o.openForMs), summary: shortDigests(o.summary) });
      }
      break;
    }
    case 'failed':
    case 'blocked':
      text(d?.message ?? n.summary);
      was();
      diff();
      actions();
      break;
    case 'detected':
    case 'healed':
      if (d && d.drift.length > 0) diff();
      else text(n.summary);
      was();
      actions();
      break;
    case 'reminder':
      if (d && d.drift.length > 0 && n.alertKind === 'drift') diff();
      else text(d?.message ?? n.summary);
      break;
  }
  const code = d && (n.kind === 'failed' || n.kind === 'blocked') ? (d.awsName ?? d.reason) : undefined;
  return { kind: n.kind, title: title(n), resource: n.resource, ...(code ? { code } : {}), lines };
}

/** How each action state is marked in messages. */
export const ACTION_MARK: Record<ReportAction['state'], string> = { done: '✓', failed: '✗', blocked: '⊘', held: '→ would', pending: '…', notRun: '–' };
