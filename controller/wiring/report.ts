/**
 * Wiring results for people and for the rest of steady: Kubernetes-style conditions and a
 * `ResourceStatus` (what the pass report and `steady status` carry), plain report lines (Slack,
 * email) and the tree `steady verify` prints. Pure.
 */
import type { Phase, ResourceStatus } from '../model/plan.js';
import { LINK_TITLES, type LinkStatus, type WiringLink, type WiringResult } from './types.js';

/** A Kubernetes-style status condition. */
export interface Condition {
  type: 'Ready' | 'Degraded';
  status: 'True' | 'False';
  reason: string;
  message: string;
  /** When the chain was checked (ISO 8601). */
  lastProbeTime: string;
}

/**
 * The result as two conditions, `Ready` and `Degraded`, one True and the other False, with the
 * reason and message of the first broken link (or `Wired`).
 *
 * @example
 * wiringConditions(result) // [{ type: 'Ready', status: 'False', reason: 'NoHealthyTargets', ... }, { type: 'Degraded', status: 'True', ... }]
 */
export function wiringConditions(result: WiringResult): Condition[] {
  const ready = result.condition.type === 'Ready';
  const base = { reason: result.condition.reason, message: result.condition.message, lastProbeTime: new Date(result.checkedAt).toISOString() };
  return [
    { type: 'Ready', status: ready ? 'True' : 'False', ...base },
    { type: 'Degraded', status: ready ? 'False' : 'True', ...base },
  ];
}

/** The links that are broken or could not be read, in chain order. */
export function brokenLinks(result: WiringResult): WiringLink[] {
  return result.links.filter((l) => l.status === 'broken' || l.status === 'unknown');
}

/**
 * The wiring of a Service as a `ResourceStatus`, for the pass report and `steady status`:
 * Ready -> Synced; a break steady's own pass repairs (stale alias, wrong revision, binding) ->
 * Drifted; a link that could not be read -> Blocked; any other break -> Failed (a person must
 * act). `notes` carries one line per further broken link.
 *
 * @example
 * const statuses = results.map(wiringStatus); // beside the plan's statuses, same resource keys
 */
export function wiringStatus(result: WiringResult): ResourceStatus {
  const broken = brokenLinks(result);
  const first = broken[0];
  const phase: Phase = !first ? 'Synced' : first.status === 'unknown' ? 'Blocked' : first.healable ? 'Drifted' : 'Failed';
  return {
    resource: `Service/${result.service}`,
    kind: 'Service',
    name: result.service,
    phase,
    reason: result.condition.reason,
    message: first ? `${LINK_TITLES[first.name]}: ${result.condition.message}` : result.condition.message,
    diff: [],
    specHash: result.specHash,
    ...(broken.length > 1 ? { notes: broken.slice(1).map((l) => `${LINK_TITLES[l.name]}: ${l.message ?? l.summary}`) } : {}),
  };
}

/** `api.example.com -> shop-api-alb -> shop-api-tg -> api`. */
export function chainLabel(result: WiringResult): string {
  const parts = [result.names.length ? result.names.join(', ') : undefined, result.loadBalancer, result.targetGroup, result.serviceName];
  return parts.filter((p): p is string => !!p).join(' -> ');
}

/**
 * Lines for a report (Slack, email): one per service, and one per further broken link.
 *
 * @example
 * wiringReportLines(result)
 * // ['api: Degraded at targets (NoHealthyTargets): none of the 2 targets in shop-api-tg is healthy ...']
 */
export function wiringReportLines(result: WiringResult): string[] {
  const broken = brokenLinks(result);
  if (broken.length === 0) return [`${result.service}: Ready: ${result.condition.message}`];
  const [first, ...rest] = broken;
  return [
    `${result.service}: Degraded at ${LINK_TITLES[first.name]} (${result.condition.reason}): ${result.condition.message}`,
    ...rest.map((l) => `${result.service}: also ${LINK_TITLES[l.name]} (${l.reason ?? l.status}): ${l.message ?? l.summary}`),
  ];
}

/** Colour functions as picocolors makes them; identity functions when colour is off. */
export interface Colors {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const MARKS: Record<LinkStatus, string> = { ok: '✓', broken: '✗', unknown: '?', skipped: '-' };

const TITLE_WIDTH = Math.max(...Object.values(LINK_TITLES).map((t) => t.length));

/**
 * One service's chain as a tree, a mark per link: ✓ connected, ✗ broken, ? could not be read,
 * - not checked. What to fix is printed under a broken link; under a link that could not be read,
 * why, unless `causesSaid` (the caller said each cause once, above).
 *
 * @example
 * for (const line of renderWiringTree(result, out.color)) out.line(line);
 * // ✓ api  Ready  api.example.com -> shop-api-alb -> shop-api-tg -> api
 * // ├─ ✓ alias            api.example.com A -> shop-api-alb-4107330162.ap-northeast-1.elb.amazonaws.com
 * // ...
 */
export function renderWiringTree(result: WiringResult, color: Colors, options: { causesSaid?: boolean } = {}): string[] {
  const paint = (status: LinkStatus, s: string) =>
    status === 'ok' ? color.green(s) : status === 'broken' ? color.red(s) : status === 'unknown' ? color.yellow(s) : color.dim(s);
  const ready = result.condition.type === 'Ready';
  const head = ready
    ? `${color.green('✓')} ${color.bold(result.service)}  ${color.green('Ready')}  ${chainLabel(result)}`
    : `${color.red('✗')} ${color.bold(result.service)}  ${color.red('Degraded')} at ${LINK_TITLES[result.firstBroken!]} (${result.condition.reason})  ${chainLabel(result)}`;
  const lines = [head];
  result.links.forEach((l, i) => {
    const last = i === result.links.length - 1;
    const branch = last ? '└─' : '├─';
    const cont = last ? '   ' : '│  ';
    const title = LINK_TITLES[l.name].padEnd(TITLE_WIDTH);
    const text = l.status === 'skipped' ? color.dim(l.message ?? l.summary) : l.summary;
    lines.push(`${branch} ${paint(l.status, MARKS[l.status])} ${title}  ${text}`);
    // Why a link could not be read is said once above the trees when the caller printed the causes.
    if ((l.status === 'broken' || (l.status === 'unknown' && !(options.causesSaid && l.cause))) && l.message) {
      lines.push(`${cont}  ${' '.repeat(TITLE_WIDTH)}  ${paint(l.status, l.message)}`);
    }
  });
  return lines;
}
