/**
 * Noise control: what, of everything a pass found, is worth telling people now, and what to
 * remember so that the next pass neither repeats it nor forgets it. Pure: the notifier loads the
 * open alerts, calls `decideNotifications`, delivers, then saves `settleAlerts(...)`.
 *
 * The rules:
 * - a problem (drift, failure, blocked rollout) is announced once, when first seen;
 * - it is announced again when it goes away ("healed", with the time it took), including a drift
 *   seen and healed within one pass;
 * - a problem that changes (a drift whose healing failed, a different diff) is announced as the
 *   new problem, and keeps the time it was first seen;
 * - a problem still open is reminded at most every `remindEveryHours`;
 * - a pass where nothing new happened sends nothing;
 * - a message whose delivery failed stays owed (to the channels that did not take it) and is sent
 *   by the next pass; a message delivered is never sent again.
 */
import type { AlertState } from '../model/alerts.js';
import { shownValue } from './format.js';
import type { Report, ResourceReport } from './model.js';

/** Where notifications go. */
export type Channel = 'slack' | 'email';

/**
 * - detected / failed / blocked: a problem first seen (or changed);
 * - healed: a problem gone, with its time-to-heal;
 * - reminder: a problem still open after `remindEveryHours`;
 * - digest: the daily summary of the environment.
 */
export type NotificationKind = 'detected' | 'failed' | 'blocked' | 'healed' | 'reminder' | 'digest';

/** What the daily digest lists. */
export interface DigestContent {
  /** Problems open after this pass, oldest first. */
  open: { resource: string; alertKind: AlertState['kind']; summary: string; firstSeenAt: number; openForMs: number }[];
  /** Resources in the environment and how many of them are in sync. */
  resources: number;
  inSync: number;
}

/** One thing to tell people. A pass's notifications go out together: one Slack message, one email. */
export interface Notification {
  kind: NotificationKind;
  /** The alert it is about. */
  key: string;
  /** `Kind/name`, or `Environment/<name>` for the pass itself and the digest. */
  resource: string;
  alertKind: AlertState['kind'];
  /** One line for people. */
  summary: string;
  /** The resource as this pass left it (diff, actions, outcomes), when the pass reported on it. */
  detail?: ResourceReport;
  /** What the resource's previous problem was, when this one replaces it. */
  replaces?: string;
  firstSeenAt: number;
  healedAt?: number;
  /** For `healed`: from first seen to healed. */
  timeToHealMs?: number;
  /** For `reminder`: how long the problem has been open. */
  openForMs?: number;
  digest?: DigestContent;
  /** The channels it goes to. */
  channels: Channel[];
}

/** How one alert changes, depending on whether its notification was delivered. */
export interface AlertChange {
  key: string;
  /** The notification the change waits on; none for silent changes (always applied as `delivered`). */
  notification?: Notification;
  /** The alert after the pass if every channel took the notification; null: no alert. */
  delivered: AlertState | null;
  /** The alert after the pass if no channel took it; null: no alert. */
  undelivered: AlertState | null;
  /**
   * When some channels took it and some did not: keep `delivered` (a reminder: the next one is
   * soon enough), keep `delivered` but owe the rest (the digest), or keep `undelivered` and owe
   * the rest (announcements and "healed", which must reach everyone).
   */
  partial: 'delivered' | 'deliveredOwing' | 'undeliveredOwing';
}

export interface NotificationDecision {
  notifications: Notification[];
  changes: AlertChange[];
  /** The alerts to write if everything is delivered (`settleAlerts(decision, [])`). */
  upserts: AlertState[];
  /** The alert keys to delete if everything is delivered. */
  removed: string[];
}

export interface DecideOptions {
  now: number;
  /** An open problem is reminded at most this often (default 24). */
  remindEveryHours?: number;
  /** Send a digest on the first pass of each UTC day (default false). */
  dailyDigest?: boolean;
  /** The channels configured for the environment. */
  channels: Channel[];
}

const KIND_ORDER: NotificationKind[] = ['failed', 'blocked', 'detected', 'reminder', 'healed', 'digest'];
const DAY = 86_400_000;

/**
 * What is wrong with a resource now: a problem; nothing (null); or 'continue' — whatever was
 * wrong before is being worked on. `onlyIfNew`: a problem only when no alert is open for the
 * resource yet (a change under way is not news, whatever its diff looks like now).
 */
type Problem = { kind: Exclude<AlertState['kind'], 'digest'>; key: string; summary: string; onlyIfNew?: boolean } | null | 'continue';

function driftSummary(r: ResourceReport): string {
  if (r.drift.length === 0) return r.message;
  return r.drift.map((d) => `${d.path}: ${shownValue(d.before)} -> ${shownValue(d.after)}`).join('; ');
}

function problemOf(r: ResourceReport): Problem {
  switch (r.outcome) {
    case 'failed':
      return { kind: 'failure', key: `${r.resource}#failed#${r.awsName ?? r.reason}`, summary: r.message };
    case 'unknown':
      // What could not be read is said once for the environment (see `unreadProblem`); whatever
      // was open for the resource stays open until it can be read again.
      return 'continue';
    case 'unrepaired':
      // Left as it is by choice (observe mode): a drift to report, not a blocked change.
      if (r.blockedBy === 'observe') return { kind: 'drift', key: r.driftKey ?? `${r.resource}#${r.reason}`, summary: driftSummary(r) };
      return { kind: 'blocked', key: `${r.resource}#blocked#${r.reason}`, summary: r.message };
    case 'wouldChange':
      return { kind: 'drift', key: r.driftKey ?? `${r.resource}#${r.reason}`, summary: driftSummary(r) };
    case 'converging':
      // A change steady started is under way: the drift it heals was announced when seen. Only
      // a drift seen for the first time in this very pass is news.
      return r.driftKey && r.drift.length > 0 ? { kind: 'drift', key: r.driftKey, summary: driftSummary(r), onlyIfNew: true } : 'continue';
    case 'healed':
    case 'created':
    case 'synced':
      return null;
  }
}

/** AWS that could not be read, as one problem of the environment, keyed by the kinds of cause. */
function unreadProblem(report: Report): Problem {
  if (report.causes.length === 0 && report.verdict !== 'unknown') return null;
  const kinds = report.causes.map((c) => c.kind).join('+') || 'unknown';
  const summary = `AWS could not be read: ${report.causes.map((c) => c.text).join('; ') || 'see the report'}`;
  return { kind: 'failure', key: `Environment/${report.environment}#Unreadable#${kinds}`, summary };
}

function firstKind(kind: AlertState['kind']): NotificationKind {
  return kind === 'failure' ? 'failed' : kind === 'blocked' ? 'blocked' : 'detected';
}

/** What deciding one pass's notifications accumulates, and the two ways it adds to it. */
interface Decision {
  now: number;
  remindMs: number;
  channels: Channel[];
  notifications: Notification[];
  changes: AlertChange[];
}

type Announce = (n: Omit<Notification, 'channels'>, channels: Channel[], change: Omit<AlertChange, 'notification' | 'key'>) => void;

function announce(d: Decision): Announce {
  return (n, channels, change) => {
    if (channels.length === 0) {
      // Owed only to channels no longer configured: nobody left to tell.
      d.changes.push({ key: n.key, ...change });
      return;
    }
    const notification: Notification = { ...n, channels };
    d.notifications.push(notification);
    d.changes.push({ key: n.key, notification, ...change });
  };
}

function drop(d: Decision, a: AlertState) {
  d.changes.push({ key: a.key, delivered: null, undelivered: null, partial: 'delivered' });
}

/** The configured channels an alert is still owed to (all of them when it owes nobody in particular). */
function channelsFor(d: Decision, owedTo?: string[]): Channel[] {
  return owedTo?.length ? d.channels.filter((c) => owedTo.includes(c)) : [...d.channels];
}

/**
 * Decides which notifications a pass sends and how the environment's alerts change.
 *
 * @example
 * const open = await store.load(report.environment);
 * const decision = decideNotifications(report, open, { now: clock.now(), remindEveryHours: 24, channels: ['slack'] });
 * const failed = await deliver(decision.notifications); // the channels that failed
 * const { upserts, removed } = settleAlerts(decision, failed, open);
 * await store.save(report.environment, upserts, removed);
 */
export function decideNotifications(report: Report, openAlerts: AlertState[], options: DecideOptions): NotificationDecision {
  const d: Decision = { now: options.now, remindMs: (options.remindEveryHours ?? 24) * 3600_000, channels: options.channels, notifications: [], changes: [] };

  // Healed messages a previous pass could not deliver: facts of the past, delivered whatever now.
  const alerts = openAlerts.filter((a) => a.kind !== 'digest');
  for (const a of alerts.filter((x) => x.pending === 'healed')) {
    const healedAt = a.healedAt ?? d.now;
    announce(d)(
      { kind: 'healed', key: a.key, resource: a.resource, alertKind: a.kind, summary: a.summary, firstSeenAt: a.firstSeenAt, healedAt, timeToHealMs: healedAt - a.firstSeenAt },
      channelsFor(d, a.owedTo),
      { delivered: null, undelivered: a, partial: 'undeliveredOwing' },
    );
  }

  const byResource = new Map<string, AlertState[]>();
  for (const a of alerts.filter((x) => x.pending !== 'healed')) byResource.set(a.resource, [...(byResource.get(a.resource) ?? []), a]);
  const handled = new Set<string>();
  const handle = (resource: string, found: Problem, r?: ResourceReport) => {
    handled.add(resource);
    const open = [...(byResource.get(resource) ?? [])].sort((a, b) => a.firstSeenAt - b.firstSeenAt);
    decideResource(d, resource, open, found, r);
  };

  const passResource = `Environment/${report.environment}`;
  if (report.outcome === 'failed') {
    // Nothing is known of the resources: leave their alerts as they are.
    handle(passResource, { kind: 'failure', key: `${passResource}#PassFailed`, summary: `pass failed: ${report.error ?? 'unknown error'}` });
  } else if (report.outcome === 'ok') {
    handle(passResource, unreadProblem(report));
    for (const r of report.resources) handle(r.resource, problemOf(r), r);
    // Resources no longer in the specs: their problems are nobody's any more.
    for (const [resource, open] of byResource) if (!handled.has(resource)) open.forEach((a) => drop(d, a));
  }

  if (options.dailyDigest) digest(report, openAlerts, d.changes, options, announce(d));

  const ordered = [...d.notifications].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  const decision = { notifications: ordered, changes: d.changes, upserts: [], removed: [] };
  return { ...decision, ...settleAlerts(decision, [], openAlerts) };
}

/** One resource: its problem now (`found`) against its open alerts, oldest first. */
function decideResource(d: Decision, resource: string, open: AlertState[], found: Problem, r?: ResourceReport) {
  let problem = found;
  if (problem !== null && problem !== 'continue' && problem.onlyIfNew && open.length > 0) problem = 'continue';
  if (problem === 'continue') {
    if (open.length === 0) return;
    problem = { kind: open[0].kind as Exclude<AlertState['kind'], 'digest'>, key: open[0].key, summary: open[0].summary };
  }
  if (problem === null) return announceHealed(d, resource, open, r);
  const same = open.find((a) => a.key === problem.key);
  if (same) return continueAlert(d, resource, same, open, r);

  // A new problem, or the resource's problem changed (a drift whose healing failed).
  const firstSeenAt = Math.min(r?.detectedAt ?? d.now, ...open.map((a) => a.firstSeenAt));
  const alert: AlertState = { key: problem.key, resource, kind: problem.kind, summary: problem.summary, firstSeenAt, notifications: 0 };
  open.forEach((a) => drop(d, a));
  announce(d)(
    {
      kind: firstKind(problem.kind),
      key: problem.key,
      resource,
      alertKind: problem.kind,
      summary: problem.summary,
      ...(r ? { detail: r } : {}),
      ...(open.length > 0 ? { replaces: open[0].summary } : {}),
      firstSeenAt,
    },
    d.channels,
    { delivered: { ...alert, lastNotifiedAt: d.now, notifications: 1 }, undelivered: alert, partial: 'undeliveredOwing' },
  );
}

/** Nothing wrong now: the oldest open alert is healed (the others dropped), or a drift seen and healed within this pass. */
function announceHealed(d: Decision, resource: string, open: AlertState[], r?: ResourceReport) {
  if (open.length > 0) {
    const [first, ...rest] = open;
    const healedAt = r?.healedAt ?? d.now;
    announce(d)(
      {
        kind: 'healed',
        key: first.key,
        resource,
        alertKind: first.kind,
        summary: first.summary,
        ...(r ? { detail: r } : {}),
        firstSeenAt: first.firstSeenAt,
        healedAt,
        timeToHealMs: healedAt - first.firstSeenAt,
      },
      d.channels,
      { delivered: null, undelivered: { ...withoutOwed(first), pending: 'healed', healedAt }, partial: 'undeliveredOwing' },
    );
    rest.forEach((a) => drop(d, a));
  } else if (r?.outcome === 'healed') {
    // Seen and healed within this pass: one message, nothing to remember once it is delivered.
    const key = r.driftKey ?? `${resource}#healed`;
    const firstSeenAt = r.detectedAt ?? d.now;
    const healedAt = r.healedAt ?? d.now;
    const summary = driftSummary(r);
    announce(d)(
      { kind: 'healed', key, resource, alertKind: 'drift', summary, detail: r, firstSeenAt, healedAt, timeToHealMs: r.timeToHealMs ?? healedAt - firstSeenAt },
      d.channels,
      {
        delivered: null,
        undelivered: { key, resource, kind: 'drift', summary, firstSeenAt, notifications: 0, pending: 'healed', healedAt },
        partial: 'undeliveredOwing',
      },
    );
  }
}

/** The same problem as an open alert: its first announcement if still owed, a reminder when due, else nothing. */
function continueAlert(d: Decision, resource: string, same: AlertState, open: AlertState[], r?: ResourceReport) {
  open.filter((a) => a !== same).forEach((a) => drop(d, a));
  const detail = r ? { detail: r } : {};
  if (same.lastNotifiedAt === undefined) {
    // Never delivered: the first announcement is still owed.
    announce(d)(
      { kind: firstKind(same.kind), key: same.key, resource, alertKind: same.kind, summary: same.summary, ...detail, firstSeenAt: same.firstSeenAt },
      channelsFor(d, same.owedTo),
      { delivered: { ...withoutOwed(same), lastNotifiedAt: d.now, notifications: same.notifications + 1 }, undelivered: same, partial: 'undeliveredOwing' },
    );
  } else if (d.now - same.lastNotifiedAt >= d.remindMs) {
    announce(d)(
      { kind: 'reminder', key: same.key, resource, alertKind: same.kind, summary: same.summary, ...detail, firstSeenAt: same.firstSeenAt, openForMs: d.now - same.firstSeenAt },
      d.channels,
      { delivered: { ...same, lastNotifiedAt: d.now, notifications: same.notifications + 1 }, undelivered: same, partial: 'delivered' },
    );
  }
}

function withoutOwed(a: AlertState): AlertState {
  const { owedTo: _owed, ...rest } = a;
  return rest;
}

function utcDay(ms: number): number {
  return Math.floor(ms / DAY);
}

function digest(
  report: Report,
  openAlerts: AlertState[],
  changes: AlertChange[],
  options: DecideOptions,
  announce: Announce,
) {
  const { now } = options;
  const marker = openAlerts.find((a) => a.kind === 'digest');
  const due = !marker || marker.lastNotifiedAt === undefined || utcDay(marker.lastNotifiedAt) < utcDay(now);
  const channels = due ? options.channels : marker.owedTo?.length ? options.channels.filter((c) => marker.owedTo!.includes(c)) : [];
  if (channels.length === 0) return;

  // The problems open once this pass's messages are delivered.
  const after = new Map(openAlerts.filter((a) => a.kind !== 'digest').map((a) => [a.key, a]));
  for (const c of changes) {
    if (c.delivered) after.set(c.key, c.delivered);
    else after.delete(c.key);
  }
  const open = [...after.values()]
    .filter((a) => a.pending === undefined)
    .sort((a, b) => a.firstSeenAt - b.firstSeenAt)
    .map((a) => ({ resource: a.resource, alertKind: a.kind, summary: a.summary, firstSeenAt: a.firstSeenAt, openForMs: now - a.firstSeenAt }));
  const resource = `Environment/${report.environment}`;
  const firstSeenAt = marker?.firstSeenAt ?? now;
  announce(
    {
      kind: 'digest',
      key: 'digest',
      resource,
      alertKind: 'digest',
      summary: `daily digest of ${report.environment}`,
      firstSeenAt,
      digest: { open, resources: report.resources.length, inSync: report.counts.resources.synced + report.counts.resources.healed + report.counts.resources.created },
    },
    channels,
    {
      delivered: { key: 'digest', resource, kind: 'digest', summary: 'daily digest', firstSeenAt, lastNotifiedAt: now, notifications: (marker?.notifications ?? 0) + 1 },
      undelivered: marker ?? null,
      partial: 'deliveredOwing',
    },
  );
}

/**
 * The alert writes for what was actually delivered: `failed` lists the channels whose delivery
 * failed (empty when all went out). Writes that would change nothing are left out.
 *
 * @example
 * const { upserts, removed } = settleAlerts(decision, ['email'], open);
 */
export function settleAlerts(
  decision: Pick<NotificationDecision, 'changes'>,
  failed: Channel[],
  openAlerts: AlertState[],
): { upserts: AlertState[]; removed: string[] } {
  const final = new Map<string, AlertState | null>();
  for (const change of decision.changes) {
    const n = change.notification;
    const missed = n ? n.channels.filter((c) => failed.includes(c)) : [];
    let state: AlertState | null;
    if (!n || missed.length === 0) state = change.delivered;
    else if (missed.length === n.channels.length) state = change.undelivered;
    else if (change.partial === 'delivered') state = change.delivered;
    else if (change.partial === 'deliveredOwing') state = change.delivered && { ...change.delivered, owedTo: missed };
    else state = change.undelivered && { ...change.undelivered, owedTo: missed };
    final.set(change.key, state);
  }
  const before = new Map(openAlerts.map((a) => [a.key, a]));
  const upserts: AlertState[] = [];
  const removed: string[] = [];
  for (const [key, state] of final) {
    if (state === null) {
      if (before.has(key)) removed.push(key);
    } else if (JSON.stringify(state) !== JSON.stringify(before.get(key))) upserts.push(state);
  }
  return { upserts, removed };
}
