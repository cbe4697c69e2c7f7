/**
 * The models as `--output json` documents (contract.ts): epoch-ms times become ISO 8601 UTC, each
 * pass carries its verdict, exit code and summary line, notifications their delivery results.
 */
import { verdictExitCode } from '../model/outcome.js';
import type { LeaseReport } from '../reconcile.js';
import { summaryLine, type NotifyResult, type Report } from '../report/index.js';
import type { WiringResult } from '../wiring/index.js';
import { FORMAT_VERSION, type NotificationsJsonType, type PassJsonType } from './contract.js';
import type { Output } from './output.js';

/** Epoch ms as ISO 8601 UTC. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The delivery results of a pass's notifications. */
export function notificationsJson(n: NotifyResult): NotificationsJsonType {
  return {
    sent: n.sent.map((d) => ({ channel: d.channel, notifications: d.notifications, ...(d.attempts !== undefined ? { attempts: d.attempts } : {}), ...(d.messageId ? { messageId: d.messageId } : {}) })),
    failed: n.failed.map((f) => ({ channel: f.channel, error: f.error, transient: f.transient })),
    ...(n.skipped ? { skipped: n.skipped } : {}),
  };
}

/**
 * One pass's report as JSON.
 *
 * @example
 * out.json(document('plan', code, { environments: [passJson(buildReport(result))] }));
 */
export function passJson(report: Report, extra: { notified?: NotifyResult; recordError?: string; lease?: LeaseReport } = {}): PassJsonType {
  const { startedAt, finishedAt, resources, ...rest } = report;
  return {
    ...rest,
    startedAt: isoTime(startedAt),
    finishedAt: isoTime(finishedAt),
    durationMs: Math.max(0, finishedAt - startedAt),
    exitCode: verdictExitCode(report.dryRun ? 'plan' : 'reconcile', report.verdict),
    summary: summaryLine(report),
    resources: resources.map(({ detectedAt, healedAt, ...r }) => ({
      ...r,
      ...(detectedAt !== undefined ? { detectedAt: isoTime(detectedAt) } : {}),
      ...(healedAt !== undefined ? { healedAt: isoTime(healedAt) } : {}),
    })),
    ...(extra.notified ? { notifications: notificationsJson(extra.notified) } : {}),
    ...(extra.recordError ? { recordError: extra.recordError } : {}),
    ...(extra.lease ? { lease: extra.lease } : {}),
  };
}

/** A wiring result as JSON. */
export function wiringJson(result: WiringResult) {
  return { ...result, checkedAt: isoTime(result.checkedAt), ...(result.healthReadAt !== undefined ? { healthReadAt: isoTime(result.healthReadAt) } : {}) };
}

/** The envelope every document has. */
export function document<C extends string, B extends object>(command: C, exitCode: number, body: B) {
  return { formatVersion: FORMAT_VERSION, command, exitCode, ...body };
}

/** An error kind for the JSON of a failure. */
export interface JsonError {
  kind: string;
  message: string;
  problems?: { file: string; line: number; column: number; path: string; message: string }[];
}

/**
 * A command's failure: with `--output json` the document (its lists empty, `error` set) on stdout
 * and the message for people on stderr; as text, the message on stderr alone.
 */
export function printFailure(out: Output, command: string, exitCode: number, error: JsonError, emptyLists: object, text: string[]): number {
  // What went wrong is said on stderr, whatever the format; JSON readers get the document on stdout too.
  for (const line of text) out.note(line);
  if (out.format === 'json') out.json(document(command, exitCode, { ...emptyLists, error }));
  return exitCode;
}
