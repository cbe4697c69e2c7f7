/**
 * Slack: a Block Kit message built from a pass's notifications, and a poster for incoming
 * webhooks that retries what Slack asks to retry.
 *
 * The message: a header, the pass's summary line, one section per notification (at most
 * `maxSections`, then "…and K more"), and a context line naming environment, spec commit and
 * pass. Slack's limits are kept: 50 blocks, 150 characters of header, 3000 of section text; text is
 * cut between lines where it can, never inside an `&amp;`-style escape or a surrogate pair, and an
 * opened code span is closed.
 *
 * The webhook URL is a secret (anyone holding it can post to the channel): it is only ever passed
 * to `fetch`, never put into an error, a log line or the message.
 */
import type { Clock } from '../clock.js';
import { abortableSleep } from '../interrupt.js';
import { NotifyError } from '../errors.js';
import { formatDuration, shortCommit } from './format.js';
import { adviceLines, heldNote, summaryLine, type Report } from './model.js';
import type { Notification } from './noise.js';
import { ACTION_MARK, notificationHeadline, viewNotification, type NotificationView } from './view.js';

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text: SlackText }
  | { type: 'divider' }
  | { type: 'context'; elements: SlackText[] };

/** An incoming-webhook payload: `text` is the fallback for notifications and screen readers. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's limits (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, contextText: 3000 } as const;
/** Blocks that are not notification sections: header, summary, divider, "…and K more", context. */
const FIXED_BLOCKS = 5;

/** `&`, `<` and `>` are control characters in mrkdwn and must be escaped, even in code spans. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code span. A backtick cannot be escaped inside one, so it becomes a quote. */
function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

/**
 * Cuts escaped mrkdwn to at most `max` characters, ending with `…`: never inside an entity
 * (`&amp;`) or a surrogate pair, and closing a code span left open.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 2; // room for `…` and a closing backtick
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp >= cut - 5 && text.indexOf(';', amp) >= cut) cut = amp;
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  let head = text.slice(0, cut);
  const ticks = head.split('`').length - 1;
  head += ticks % 2 === 1 ? '…`' : '…';
  return head;
}

/** Lines joined until `max` would be passed; then `…`. A first line that is too long is cut. */
function fitLines(lines: string[], max: number): string {
  const whole = lines.join('\n');
  if (whole.length <= max) return whole;
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    const next = length + (kept.length ? 1 : 0) + line.length;
    if (next > max - 2) break;
    kept.push(line);
    length = next;
  }
  if (kept.length === 0) return truncateMrkdwn(lines[0], max);
  return `${kept.join('\n')}\n…`;
}

/** Plain text cut to `max` characters, whole code points. */
function truncatePlain(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const KIND_EMOJI: Record<Notification['kind'], string> = {
  failed: ':red_circle:',
  blocked: ':no_entry:',
  detected: ':large_orange_circle:',
  reminder: ':alarm_clock:',
  healed: ':white_check_mark:',
  digest: ':bar_chart:',
};

function sectionText(v: NotificationView): string {
  const lines = [`${KIND_EMOJI[v.kind]} *${escapeMrkdwn(v.title)}* · ${code(v.resource)}${v.code ? ` · ${code(v.code)}` : ''}`];
  for (const l of v.lines) {
    switch (l.type) {
      case 'text':
        lines.push(escapeMrkdwn(l.text));
        break;
      case 'was':
        lines.push(`_was: ${escapeMrkdwn(l.text)}_`);
        break;
      case 'diff':
        lines.push(`• ${code(l.path)}: ${code(l.before)} → ${code(l.after)}`);
        break;
      case 'action':
        lines.push(`${ACTION_MARK[l.state]} ${escapeMrkdwn(l.summary)}${l.why ? ` — ${escapeMrkdwn(l.why)}` : ''}`);
        break;
      case 'open':
        lines.push(`• ${code(l.resource)} ${l.state} for ${l.forText}: ${escapeMrkdwn(l.summary)}`);
        break;
    }
  }
  return fitLines(lines, SLACK_LIMITS.sectionText);
}

export interface SlackMessageOptions {
  /** Most notification sections before "…and K more" (the Environment's `slack.maxSections`). */
  maxSections: number;
}

/**
 * The Block Kit message for one pass's notifications.
 *
 * @example
 * const message = buildSlackMessage(report, decision.notifications, { maxSections: 10 });
 * await postToSlack(url, message, { clock, source: 'arn:aws:secretsmanager:…:secret:slack' });
 */
export function buildSlackMessage(report: Report, notifications: Notification[], options: SlackMessageOptions): SlackMessage {
  const headline = notificationHeadline(notifications);
  const top = notifications[0] ? KIND_EMOJI[notifications[0].kind] : ':information_source:';
  const headerText = truncatePlain(`${top} ${report.environment}: ${headline || 'no news'}`, SLACK_LIMITS.headerText);
  const max = Math.max(1, Math.min(options.maxSections, SLACK_LIMITS.blocks - FIXED_BLOCKS));
  const shown = notifications.slice(0, max);
  const rest = notifications.slice(max);

  const held = heldNote(report) ? ` _${escapeMrkdwn(heldNote(report).trim())}_` : '';
  const advice = adviceLines(report).map((a) => `\n_${escapeMrkdwn(a)}_`).join('');
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: headerText, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(`${escapeMrkdwn(summaryLine(report)).replace(/^([A-Z][A-Za-z ()]*?:)/, '*$1*')}${held}${advice}`, SLACK_LIMITS.sectionText) } },
    { type: 'divider' },
  ];
  for (const n of shown) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: sectionText(viewNotification(n)) } });
  }
  if (rest.length > 0) {
    const names = rest.map((n) => code(n.resource)).join(', ');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(`…and ${rest.length} more: ${names}`, SLACK_LIMITS.sectionText) } });
  }
  const context = [`environment *${escapeMrkdwn(report.environment)}*`];
  if (report.specVersion) context.push(`spec ${code(shortCommit(report.specVersion))}`);
  context.push(`pass ${code(report.passId)}`);
  if (report.mode === 'observe') context.push('observe mode');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(context.join(' · '), SLACK_LIMITS.contextText) }] });
  return { text: headerText, blocks };
}

export interface SlackPostOptions {
  /** Sleeps between attempts (the simulated clock in tests: no real waiting). */
  clock: Clock;
  /** Where the URL came from (secret ARN, parameter name), for messages: never the URL. */
  source: string;
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** First back-off after a 5xx or a network error; doubles each attempt (default 1 s). */
  baseDelayMs?: number;
  /** Longest back-off (default 20 s). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the next pass retries (default 60 s). */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Jitter source in [0, 1): the back-off is between half and all of the computed delay. */
  random?: () => number;
  /**
   * Aborts when the pass has no time left: the attempt in flight is cancelled, no back-off is
   * waited and no further attempt made (the next pass sends the message).
   */
  signal?: AbortSignal;
}

export interface SlackPostResult {
  attempts: number;
  /** Time spent waiting between attempts. */
  waitedMs: number;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * POSTs a message to an incoming webhook. Retries 429 (waiting what `Retry-After` says), 5xx and
 * network errors (exponential back-off with jitter), up to `maxAttempts`; any other 4xx is final.
 * Throws a NotifyError naming `source` and the HTTP status — transient unless Slack refused the
 * request itself (4xx other than 429).
 *
 * @example
 * await postToSlack(url, message, { clock: systemClock, source: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:slack-webhook' });
 */
export async function postToSlack(url: string, message: SlackMessage, options: SlackPostOptions): Promise<SlackPostResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const base = options.baseDelayMs ?? 1000;
  const cap = options.maxDelayMs ?? 20_000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000;
  const random = options.random ?? Math.random;
  const doing = `posting to the Slack webhook from ${options.source}`;
  const body = JSON.stringify(message);
  let waitedMs = 0;
  const backoff = (attempt: number) => {
    const full = Math.min(cap, base * 2 ** (attempt - 1));
    return Math.round(full / 2 + (random() * full) / 2);
  };
  const outOfTime = (tries: string) => new NotifyError(`${doing}: gave up after ${tries}: no time was left to retry; the next pass sends it`, { transient: true });
  /** Waits `ms` before the next attempt, unless the pass runs out of time first. */
  const pause = async (ms: number, tries: string) => {
    if (options.signal?.aborted) throw outOfTime(tries);
    waitedMs += ms;
    await abortableSleep(options.clock, ms, options.signal);
    if (options.signal?.aborted) throw outOfTime(tries);
  };

  for (let attempt = 1; ; attempt++) {
    const last = attempt >= maxAttempts;
    const tries = attempt === 1 ? '1 attempt' : `${attempt} attempts`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: options.signal ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? 10_000), options.signal]) : AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      if (options.signal?.aborted) throw outOfTime(tries);
      // Only the error's code: a network error's message may quote the address it tried.
      const why = networkCode(err);
      if (last) throw new NotifyError(`${doing}: ${why} (gave up after ${tries})`, { transient: true });
      await pause(backoff(attempt), tries);
      continue;
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return { attempts: attempt, waitedMs };

    // Slack answers errors with a short code (`invalid_payload`, `no_service`): worth saying.
    const detail = /^[a-z_]{1,64}$/.test(text.trim()) ? ` ${text.trim()}` : '';
    const status = `HTTP ${response.status}${detail}`;
    if (response.status === 429) {
      const wait = retryAfterMs(response.headers.get('retry-after'), options.clock.now()) ?? backoff(attempt);
      if (wait > maxRetryAfter) {
        throw new NotifyError(`${doing}: ${status}, retry after ${formatDuration(wait)}, longer than this pass waits`, { transient: true });
      }
      if (last) throw new NotifyError(`${doing}: ${status} (gave up after ${tries})`, { transient: true });
      await pause(wait, tries);
      continue;
    }
    if (response.status >= 500) {
      if (last) throw new NotifyError(`${doing}: ${status} (gave up after ${tries})`, { transient: true });
      await pause(backoff(attempt), tries);
      continue;
    }
    throw new NotifyError(`${doing}: ${status}`, { transient: false });
  }
}

function networkCode(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? `network error ${code}` : 'network error';
}
