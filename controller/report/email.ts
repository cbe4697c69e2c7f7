/**
 * Email: one message per pass with notifications, sent with SES v2 `SendEmail` as Simple content
 * with both an HTML and a plain-text body (mail clients pick one), to the recipients of the
 * Environment spec.
 */
// Types only: SES's package is imported when an email is first sent, so the Lambda's cold start
// does not load it (the bundle puts it in a chunk of its own).
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { awsCall } from '../errors.js';
import { formatTime, shortCommit } from './format.js';
import { adviceLines, heldNote, summaryLine, type Report } from './model.js';
import type { Notification } from './noise.js';
import { ACTION_MARK, notificationHeadline, viewNotification, type NotificationView } from './view.js';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** The Environment's `notifications.email`. */
export interface EmailTarget {
  from: string;
  to: string[];
}

function footer(report: Report): string {
  const parts = [`environment ${report.environment}`];
  if (report.specVersion) parts.push(`spec ${shortCommit(report.specVersion)}`);
  parts.push(`pass ${report.passId}`, formatTime(report.startedAt));
  if (report.mode === 'observe') parts.push('observe mode');
  return parts.join(' · ');
}


function textSection(v: NotificationView): string[] {
  const lines = [`* ${v.title}: ${v.resource}${v.code ? ` (${v.code})` : ''}`];
  for (const l of v.lines) {
    switch (l.type) {
      case 'text':
        lines.push(`  ${l.text}`);
        break;
      case 'was':
        lines.push(`  was: ${l.text}`);
        break;
      case 'diff':
        lines.push(`  ${l.path}`, `      ${l.before}`, `   -> ${l.after}`);
        break;
      case 'action':
        lines.push(`  ${ACTION_MARK[l.state]} ${l.summary}`);
        if (l.why) lines.push(`    ${l.why}`);
        break;
      case 'open':
        lines.push(`  - ${l.resource} ${l.state} for ${l.forText}: ${l.summary}`);
        break;
    }
  }
  return lines;
}

/** `&`, `<`, `>`, `"` and `'` as HTML entities. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const COLOURS: Record<Notification['kind'], string> = {
  failed: '#d1242f',
  blocked: '#bf8700',
  detected: '#bc4c00',
  reminder: '#8250df',
  healed: '#1a7f37',
  digest: '#0969da',
};
const MONO = 'font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px';

function htmlSection(v: NotificationView): string {
  const code = (t: string) => `<code style="${MONO}">${escapeHtml(t)}</code>`;
  const out = [
    `<div style="border-left:4px solid ${COLOURS[v.kind]};padding:4px 12px;margin:16px 0">`,
    `<p style="margin:0 0 6px"><strong style="color:${COLOURS[v.kind]}">${escapeHtml(v.title)}</strong> · ${code(v.resource)}${v.code ? ` · ${code(v.code)}` : ''}</p>`,
  ];
  const diffs = v.lines.filter((l) => l.type === 'diff');
  const actions = v.lines.filter((l) => l.type === 'action');
  const open = v.lines.filter((l) => l.type === 'open');
  for (const l of v.lines) {
    if (l.type === 'text') out.push(`<p style="margin:0 0 6px">${escapeHtml(l.text)}</p>`);
    if (l.type === 'was') out.push(`<p style="margin:0 0 6px;color:#59636e"><em>was: ${escapeHtml(l.text)}</em></p>`);
  }
  if (diffs.length > 0) {
    out.push(`<table style="border-collapse:collapse;margin:0 0 6px;${MONO}">`);
    for (const d of diffs) {
      out.push(
        `<tr><td style="padding:2px 12px 2px 0;color:#59636e;vertical-align:top">${escapeHtml(d.path)}</td>` +
          `<td style="padding:2px 0"><span style="color:#d1242f">${escapeHtml(d.before)}</span><br>→ <span style="color:#1a7f37">${escapeHtml(d.after)}</span></td></tr>`,
      );
    }
    out.push('</table>');
  }
  if (actions.length > 0) {
    out.push('<ul style="margin:0 0 6px;padding-left:18px">');
    for (const a of actions) {
      out.push(`<li>${escapeHtml(ACTION_MARK[a.state])} ${escapeHtml(a.summary)}${a.why ? `<br><span style="color:#59636e">${escapeHtml(a.why)}</span>` : ''}</li>`);
    }
    out.push('</ul>');
  }
  if (open.length > 0) {
    out.push('<ul style="margin:0 0 6px;padding-left:18px">');
    for (const o of open) out.push(`<li>${code(o.resource)} ${escapeHtml(o.state)} for ${escapeHtml(o.forText)}: ${escapeHtml(o.summary)}</li>`);
    out.push('</ul>');
  }
  out.push('</div>');
  return out.join('\n');
}

/**
 * The email for one pass's notifications: subject with environment and counts, plain-text and
 * HTML bodies saying the same thing.
 *
 * @example
 * const mail = buildEmail(report, decision.notifications);
 * // mail.subject === '[steady] shop-prod: 1 failed, 1 drift healed'
 */
export function buildEmail(report: Report, notifications: Notification[]): EmailContent {
  const headline = notificationHeadline(notifications);
  const subject = `[steady] ${report.environment}: ${headline}`;
  const views = notifications.map(viewNotification);
  const summary = [`${summaryLine(report)}${heldNote(report)}`, ...adviceLines(report)].join(' ');
  const why = `You get this because you are listed in spec.notifications.email.to of Environment ${report.environment}.`;

  const text = [`${report.environment}: ${headline}`, summary, '', ...views.flatMap((v) => [...textSection(v), '']), '-- ', footer(report), why, ''].join('\n');

  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
    '<body style="font-family:-apple-system,BlinkMacSystemFont,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;line-height:1.45;max-width:780px">',
    `<h2 style="margin:0 0 4px;font-size:18px">${escapeHtml(report.environment)}: ${escapeHtml(headline)}</h2>`,
    `<p style="margin:0;color:#59636e">${escapeHtml(summary)}</p>`,
    ...views.map(htmlSection),
    `<p style="margin:24px 0 0;color:#59636e;font-size:12px">${escapeHtml(footer(report))}<br>${escapeHtml(why)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { subject, text, html };
}

/** What sends an email: an SES v2 client, or a `LazyClient` of one (`aws/lazy-client.ts`). */
export type EmailClient = Pick<SESv2Client, 'send'>;

/**
 * Sends an email through SES v2; returns the SES message id.
 *
 * @example
 * await sendEmail(new SESv2Client({ region }), { from: 'steady@example.com', to: ['ops@example.com'] }, buildEmail(report, notifications));
 */
export async function sendEmail(client: EmailClient, target: EmailTarget, content: EmailContent, signal?: AbortSignal): Promise<string | undefined> {
  const { SendEmailCommand } = await import('@aws-sdk/client-sesv2');
  const out = await awsCall('sesv2', 'SendEmail', `sending the report email from ${target.from} to ${target.to.join(', ')}`, () =>
    client.send(
      new SendEmailCommand({
        FromEmailAddress: target.from,
        Destination: { ToAddresses: target.to },
        Content: {
          Simple: {
            Subject: { Data: content.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: content.text, Charset: 'UTF-8' }, Html: { Data: content.html, Charset: 'UTF-8' } },
          },
        },
      }),
      // Ends the send (and the SDK's retries) when the pass is out of time.
      { abortSignal: signal },
    ),
  );
  return out.MessageId;
}
