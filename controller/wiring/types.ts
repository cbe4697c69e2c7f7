/**
 * What the wiring checks report: for each Service reachable from a name (or bound to a load
 * balancer), the chain of links from the name to the running containers, each with its evidence,
 * the first broken one, and a Ready / Degraded condition. Plain data: reports, `steady verify`
 * and `steady status` all render this one shape.
 */
import type { WiringChain } from '../model/wiring.js';

import type { AwsCause } from '../model/causes.js';

/** The links of the chain, in the order a request passes them, from the name to the containers. */
export const LINK_NAMES = [
  'alias',
  'loadBalancer',
  'listener',
  'certificate',
  'forward',
  'targetGroup',
  'healthCheck',
  'binding',
  'deployment',
  'targets',
  'tasks',
  'probe',
] as const;

export type LinkName = (typeof LINK_NAMES)[number];

/** How people read a link's name. */
export const LINK_TITLES: Record<LinkName, string> = {
  alias: 'alias',
  loadBalancer: 'load balancer',
  listener: 'listener',
  certificate: 'certificate',
  forward: 'forward',
  targetGroup: 'target group',
  healthCheck: 'health check',
  binding: 'service binding',
  deployment: 'deployment',
  targets: 'targets',
  tasks: 'tasks',
  probe: 'probe',
};

/**
 * ok: checked and connected; broken: checked and not connected; unknown: could not be read (an
 * AWS call failed); skipped: not checked, because what it is checked against is missing (an
 * earlier link is broken) or there is nothing to compare (no health-check URL, no certificate
 * reader). Only broken and unknown links make a service Degraded.
 */
export type LinkStatus = 'ok' | 'broken' | 'unknown' | 'skipped';

/** Ids, names and values a link was judged on. */
export type Evidence = Record<string, string | number | boolean | string[]>;

export interface WiringLink {
  name: LinkName;
  status: LinkStatus;
  /** `status === 'ok'`. */
  ok: boolean;
  /** What was found, in one line: `HTTPS:443 forwards to shop-api-tg (default action)`. */
  summary: string;
  evidence: Evidence;
  /** A CamelCase reason code when the link is not ok: `ListenerForwardsElsewhere`, `NoHealthyTargets`, ... */
  reason?: string;
  /** When not ok, in plain words: what is wrong and what to fix (or why it was not checked). */
  message?: string;
  /** True when steady's own reconcile pass repairs this (a stale alias, a service on the wrong revision). */
  healable?: boolean;
  /** For a link that could not be read: why (no credentials, access denied, ...). */
  cause?: AwsCause;
}

/** A read that failed: the message, and its cause when it was an AWS call. */
export interface ReadError {
  message: string;
  cause?: AwsCause;
}

/** What an HTTP probe of a service saw. */
export interface ProbeResult {
  url: string;
  expectStatus: number;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** Time to the response headers, or to the failure. */
  latencyMs: number;
  /** Why there was no answer: `connection refused`, `no answer within 5 s`, ... */
  error?: string;
  ok: boolean;
}

/**
 * The condition a wiring result sums up to, Kubernetes-style. Ready: every link connected.
 * Degraded: the reason is the first broken link's (`ApplicationProblem` when only the probe
 * fails), the message says what to fix.
 */
export interface WiringCondition {
  type: 'Ready' | 'Degraded';
  /** `Wired` when Ready. */
  reason: string;
  message: string;
}

export interface WiringResult {
  environment: string;
  /** The Service spec's name (`metadata.name`). */
  service: string;
  /** The ECS service name. */
  serviceName: string;
  /** Record names (AliasRecords) the service is reachable from; empty when none points at its load balancer. */
  names: string[];
  /** The load balancer in front of the service's target group, when one could be told. */
  loadBalancer?: string;
  targetGroup?: string;
  /** In chain order; links that do not apply (no alias, a plain HTTP listener, no probe) are left out. */
  links: WiringLink[];
  /** The first link that is broken or unknown. */
  firstBroken?: LinkName;
  condition: WiringCondition;
  probe?: ProbeResult;
  /** Epoch ms. */
  checkedAt: number;
  /** When the target health the `targets` link was judged on was read (epoch ms); absent when it was not read (judged from ECS's view of the service). */
  healthReadAt?: number;
  /** Hash of the Service spec the result was computed for (as `ResourceStatus.specHash`). */
  specHash: string;
}

/** What a `Wiring` status keeps of its result, so the chain can be drawn later from the state table. */
export type { WiringChain };

/** The chain of a result, without what the status already says. */
export function wiringChain(result: WiringResult): WiringChain {
  const { names, loadBalancer, targetGroup, links, firstBroken, checkedAt, healthReadAt } = result;
  return { names, loadBalancer, targetGroup, links, firstBroken, checkedAt, ...(healthReadAt !== undefined ? { healthReadAt } : {}) };
}
