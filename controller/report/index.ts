/**
 * Reports of a pass: the model (`buildReport`), the terminal and JSON renderings, Slack and email,
 * and noise control, tied together by `notify`.
 */
export { buildReport, derivedDriftKey, summaryLine, RESOURCE_OUTCOMES } from './model.js';
export type { BuildReportOptions, Report, ReportAction, ReportCounts, ResourceOutcome, ResourceReport } from './model.js';
export { renderReport, renderReportJson } from './terminal.js';
export type { RenderOptions } from './terminal.js';
export { decideNotifications, settleAlerts } from './noise.js';
export type { AlertChange, Channel, DecideOptions, DigestContent, Notification, NotificationDecision, NotificationKind } from './noise.js';
export { notificationHeadline, viewNotification } from './view.js';
export type { NotificationView, ViewLine } from './view.js';
export { buildSlackMessage, escapeMrkdwn, postToSlack, SLACK_LIMITS, truncateMrkdwn } from './slack.js';
export type { SlackBlock, SlackMessage, SlackMessageOptions, SlackPostOptions, SlackPostResult, SlackText } from './slack.js';
export { lambdaWebhookCache, redactReport, redactSecrets, resolveWebhookUrl, WebhookUrlCache, webhookSource, webhookUrlFrom } from './secrets.js';
export type { ResolveOptions, SecretClients, WebhookRef } from './secrets.js';
export { buildEmail, escapeHtml, sendEmail } from './email.js';
export type { EmailContent, EmailTarget } from './email.js';
export { notify } from './notify.js';
export type { Delivery, NotificationsSpec, NotifyFailure, NotifyLogger, NotifyOptions, NotifyResult } from './notify.js';
export { formatDuration, plural, shortDigests } from './format.js';
