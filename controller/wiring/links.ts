/**
 * Judging the chain, link by link, from facts already read. Pure and synchronous, like the planner:
 * `check.ts` does the reading, this file only compares. Each link is judged on what it needs;
 * when that is missing because an earlier link is broken, it is skipped, so one break is reported
 * once, where it is, and every link that can still be judged is.
 */
import type { AwsCause } from '../model/causes.js';
import { findRecord, type ActualState, type ImageResolution, type ObservedZone } from '../model/actual.js';
import {
  sameAliasDnsName,
  type EcsService,
  type EcsTask,
  type EcsTaskDefinition,
  type ForwardAction,
  type Listener,
  type ListenerRule,
  type LoadBalancer,
  type TargetGroup,
  type TargetHealth,
} from '../model/aws.js';
import { isDigest, parseImageUri } from '../model/image.js';
import { taskDefinitionsEqual, type TaskDefinitionContent } from '../model/taskdef.js';
import { desiredTaskDefinition, serviceName, specHash, taskDefinitionDiff } from '../plan/desired.js';
import { unexpressibleFields } from '../plan/expressible.js';
import type { AliasRecordDoc, MaintenanceDoc, ServiceDoc } from '../spec/schema.js';
import { conditionInMaintenance, maintenanceInFront, probeInMaintenance } from './maintenance.js';
import type { CertificateInfo } from './certificates.js';
import { commandText, healthCheckAgreement } from './healthcheck.js';
import type { Evidence, LinkName, LinkStatus, ProbeResult, ReadError, WiringCondition, WiringLink, WiringResult } from './types.js';

/** Everything the links are judged on. Maps follow ActualState's rule: absent = not read. */
export interface Facts {
  environment: string;
  cluster: string;
  /** Epoch ms the facts stand for. */
  now: number;
  certificateExpiryDays: number;
  aliases: AliasRecordDoc[];
  /** The environment's Maintenances: a rule of theirs in front of a service puts it in maintenance. */
  maintenance?: MaintenanceDoc[];
  targetGroups: Record<string, TargetGroup | null>;
  loadBalancers: Record<string, LoadBalancer | null>;
  /** Zone key (the spec's zoneId, else its zone name) -> zone and records. */
  zones: Record<string, ObservedZone | null>;
  /** ECS service name -> service. */
  services: Record<string, EcsService | null>;
  taskDefinitions: Record<string, EcsTaskDefinition>;
  images: Record<string, ImageResolution>;
  /** Load balancer ARN -> listeners. */
  listeners: Record<string, Listener[]>;
  /** Listener ARN -> rules, the default rule last. */
  rules: Record<string, ListenerRule[]>;
  /** Target group ARN -> registered targets. */
  health: Record<string, TargetHealth[]>;
  /** ECS service name -> its tasks that should be running. */
  tasks: Record<string, EcsTask[]>;
  certificates: Record<string, CertificateInfo | null>;
  /** Where certificates are read from; undefined when they cannot be read at all. */
  certificateSource?: string;
  /** Service spec name -> probe result. */
  probes: Record<string, ProbeResult>;
  /** Why something could not be read, by key (`listeners:<arn>`, `tg:<name>`, ...). */
  errors: Record<string, ReadError>;
  /**
   * Blue/green services: service spec name -> the target groups of its CodeDeploy pair, and the
   * one production traffic goes to now (CodeDeploy moves it between the two on every deployment).
   */
  blueGreen: Record<string, { pair: string[]; live?: string }>;
  /**
   * Keys deliberately not read this pass (`listeners:<lb arn>`, `rules:<listener arn>`,
   * `health:<target group arn>`, `tasks:<ECS service>`; see select.ts): judged otherwise, never as
   * read failures.
   */
  deferred: Set<string>;
  /** When a read that was not made this pass was made (epoch ms), by the same keys. */
  readAt: Record<string, number>;
  /** How often every link is read at least (a reconcile pass's rotation), for messages. */
  rotationMinutes?: number;
  /** The configured `wiring.rotationMinutes` when ELB's rate limit cannot meet it and `rotationMinutes` is longer. */
  rotationConfiguredMinutes?: number;
  /** The AliasRecords by the load balancer they name, and those that name a DNS name. */
  aliasIndex: { byLoadBalancer: Map<string, AliasRecordDoc[]>; byDnsName: AliasRecordDoc[] };
}

/** AliasRecords indexed once, so that finding a load balancer's names does not scan them all. */
export function indexAliases(aliases: AliasRecordDoc[]): Facts['aliasIndex'] {
  const byLoadBalancer = new Map<string, AliasRecordDoc[]>();
  const byDnsName: AliasRecordDoc[] = [];
  for (const a of aliases) {
    const t = a.spec.target;
    if ('loadBalancer' in t) byLoadBalancer.set(t.loadBalancer, [...(byLoadBalancer.get(t.loadBalancer) ?? []), a]);
    else if ('dnsName' in t) byDnsName.push(a);
  }
  return { byLoadBalancer, byDnsName };
}

/** The pair member the production listeners forward to (with weight), when one can be told. */
function liveOfPair(pair: string[], prod: (Listener | null)[], targetGroups: Record<string, TargetGroup | null>): string | undefined {
  const arns = new Set(prod.flatMap((l) => (l?.defaultActions ?? []).flatMap((a) => a.targetGroups.filter((g) => g.weight > 0).map((g) => g.arn))));
  return pair.find((name) => {
    const tg = targetGroups[name];
    return tg && arns.has(tg.arn);
  });
}

/** Facts with nothing read yet, seeded from what observe already saw. */
export function factsFrom(actual: ActualState, init: Pick<Facts, 'environment' | 'cluster' | 'now' | 'certificateExpiryDays' | 'aliases' | 'maintenance'>): Facts {
  const errors: Record<string, ReadError> = {};
  for (const u of actual.unreadable) errors[`observe:${u.what}`] = { message: `${u.awsName}: ${u.message}`, ...(u.cause ? { cause: u.cause } : {}) };
  return {
    ...init,
    targetGroups: { ...actual.targetGroups },
    loadBalancers: { ...actual.loadBalancers },
    zones: { ...actual.zones },
    services: { ...actual.services },
    taskDefinitions: { ...actual.taskDefinitions },
    images: { ...actual.images },
    listeners: {},
    rules: {},
    health: {},
    tasks: {},
    certificates: {},
    probes: {},
    errors,
    deferred: new Set(),
    readAt: {},
    aliasIndex: indexAliases(init.aliases),
    blueGreen: Object.fromEntries(
      Object.entries(actual.blueGreen)
        .filter(([, bg]) => bg.group && bg.group.targetGroups.length > 0)
        .map(([name, bg]) => {
          const pair = bg.group!.targetGroups;
          const live = liveOfPair(pair, bg.group!.prodListenerArns.map((arn) => bg.listeners[arn] ?? null), actual.targetGroups);
          return [name, { pair, ...(live ? { live } : {}) }];
        }),
    ),
  };
}

/**
 * The target group a service's traffic goes through: the spec's, or for a blue/green service the
 * member of its CodeDeploy pair production traffic goes to now.
 */
export function liveTargetGroup(svc: ServiceDoc, f: Pick<Facts, 'blueGreen'>): string | undefined {
  return f.blueGreen[svc.metadata.name]?.live ?? svc.spec.loadBalancer?.targetGroup;
}

// ------------------------------------------------------------------------------------ helpers

const DAY_MS = 24 * 60 * 60 * 1000;

/** `arn:...:targetgroup/shop-api-tg/abc` -> `shop-api-tg`; `...:loadbalancer/app/shop-api-alb/abc` -> `shop-api-alb`. */
export function nameFromArn(arn: string): string {
  const tg = /:targetgroup\/([^/]+)\//.exec(arn);
  if (tg) return tg[1];
  const lb = /:loadbalancer\/(?:app|net|gwy)\/([^/]+)\//.exec(arn);
  return lb ? lb[1] : arn;
}

/** `arn:...:task-definition/shop-api:7` -> `shop-api:7`. */
export function revisionLabel(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** `sha256:97da2849d73eb438...` -> `sha256:97da2849d73e`. */
export function shortDigest(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(0, 19) : digest;
}

function listenerLabel(l: Listener): string {
  return `${l.protocol}:${l.port}`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function list(items: string[], max = 3): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function link(name: LinkName, status: LinkStatus, summary: string, evidence: Evidence, extra: { reason?: string; message?: string; healable?: boolean; cause?: AwsCause } = {}): WiringLink {
  return { name, status, ok: status === 'ok', summary, evidence, ...extra };
}

function unknown(name: LinkName, what: string, error: ReadError | undefined): WiringLink {
  // No advice here: what to do depends on the cause, and the report says it once for all links.
  return link(name, 'unknown', `could not read ${what}`, {}, { reason: 'ReadFailed', message: `could not read ${what} (${error?.message ?? 'it was not read'})`, ...(error?.cause ? { cause: error.cause } : {}) });
}

function skipped(name: LinkName, message: string, reason = 'NotChecked'): WiringLink {
  return link(name, 'skipped', 'not checked', {}, { reason, message });
}

/** The first error recorded under any of `keys` (or under an observe read mentioning `hint`). */
function errorFor(f: Pick<Facts, 'errors'>, keys: string[], hint?: string): ReadError | undefined {
  for (const k of keys) if (f.errors[k]) return f.errors[k];
  if (hint) for (const [k, v] of Object.entries(f.errors)) if (k.startsWith('observe:') && k.includes(hint)) return v;
  return undefined;
}

// --------------------------------------------------------------------------- load balancer placement

/** Which load balancer is in front of a service, and how steady knows. */
export interface Placement {
  name?: string;
  /** How the name was found, for evidence. */
  foundBy?: string;
  /** When no name could be found: why. */
  problem?: { reason: string; message: string; status: 'broken' | 'unknown'; cause?: AwsCause };
}

/** Load balancers the environment's AliasRecords name. */
function aliasLoadBalancers(aliases: AliasRecordDoc[]): string[] {
  return [...new Set(aliases.flatMap((a) => ('loadBalancer' in a.spec.target ? [a.spec.target.loadBalancer] : [])))].sort();
}

/**
 * The load balancer in front of a service's target group: the one the spec names
 * (`loadBalancer.listener.loadBalancer`), else the one a listener or rule of which forwards to the
 * target group now, else the only load balancer an AliasRecord of the environment targets.
 */
export function placeLoadBalancer(svc: ServiceDoc, f: Pick<Facts, 'targetGroups' | 'aliases' | 'environment' | 'errors'>): Placement {
  const lb = svc.spec.loadBalancer;
  if (!lb) return {};
  if (lb.listener?.loadBalancer) return { name: lb.listener.loadBalancer, foundBy: 'named by spec.loadBalancer.listener.loadBalancer' };
  const tg = f.targetGroups[lb.targetGroup];
  if (tg === undefined) {
    const error = errorFor(f, [`tg:${lb.targetGroup}`], lb.targetGroup);
    return {
      problem: {
        status: 'unknown',
        reason: 'ReadFailed',
        message: `could not read target group ${lb.targetGroup} (${error?.message ?? 'it was not read'}), so the load balancer in front of it is not known`,
        ...(error?.cause ? { cause: error.cause } : {}),
      },
    };
  }
  if (tg === null) {
    return {
      problem: {
        status: 'broken',
        reason: 'TargetGroupNotFound',
        message: `target group ${lb.targetGroup} does not exist, so no load balancer can send traffic to service ${svc.metadata.name}: create it (protocol HTTP, port ${lb.containerPort}, target type ip) or fix spec.loadBalancer.targetGroup`,
      },
    };
  }
  if (tg.loadBalancerArns.length > 0) {
    return { name: nameFromArn(tg.loadBalancerArns[0]), foundBy: `a listener or rule of it forwards to ${tg.name}` };
  }
  const candidates = aliasLoadBalancers(f.aliases);
  if (candidates.length === 1) {
    return { name: candidates[0], foundBy: `no load balancer forwards to ${tg.name}; ${candidates[0]} is the only load balancer an AliasRecord of ${f.environment} targets` };
  }
  const named = candidates.length > 1 ? `AliasRecords of ${f.environment} target ${candidates.join(', ')}` : `no AliasRecord of ${f.environment} targets a load balancer`;
  return {
    problem: {
      status: 'broken',
      reason: 'NoLoadBalancer',
      message: `no listener or rule of any load balancer forwards to target group ${tg.name}, and ${named}: attach ${tg.name} to the listener that should serve service ${svc.metadata.name}, and name that load balancer in spec.loadBalancer.listener.loadBalancer`,
    },
  };
}

/** The AliasRecords whose target is this load balancer (by name, or by its current DNS name), in spec order. */
export function aliasesTo(name: string, lb: LoadBalancer | null | undefined, index: Facts['aliasIndex']): AliasRecordDoc[] {
  const byName = index.byLoadBalancer.get(name) ?? [];
  if (!lb || index.byDnsName.length === 0) return byName;
  const byDns = index.byDnsName.filter((a) => 'dnsName' in a.spec.target && sameAliasDnsName(a.spec.target.dnsName, lb.dnsName));
  return byDns.length === 0 ? byName : [...byName, ...byDns];
}

// ------------------------------------------------------------------------------------ the links

function aliasLink(aliases: AliasRecordDoc[], lbName: string, lb: LoadBalancer | null | undefined, f: Facts): WiringLink {
  const records = aliases.map((a) => `${a.spec.name} ${a.spec.type}`);
  const evidence: Evidence = { records, zones: [...new Set(aliases.map((a) => a.spec.zoneId ?? a.spec.zone))] };
  if (lb) Object.assign(evidence, { loadBalancerDnsName: lb.dnsName, loadBalancerZoneId: lb.canonicalHostedZoneId });
  const targets: string[] = [];
  for (const a of aliases) {
    const zoneKey = a.spec.zoneId ?? a.spec.zone;
    const zone = f.zones[zoneKey];
    if (zone === undefined) return unknown('alias', `hosted zone ${zoneKey}`, errorFor(f, [`zone:${zoneKey}`], zoneKey));
    if (zone === null) {
      return link('alias', 'broken', `hosted zone ${zoneKey} does not exist`, evidence, {
        reason: 'ZoneNotFound',
        message: `hosted zone ${zoneKey} of AliasRecord ${a.metadata.name} does not exist: create it, or fix spec.zone`,
      });
    }
    const record = findRecord(zone, a.spec.name, a.spec.type);
    if (!record) {
      return link('alias', 'broken', `${a.spec.name} ${a.spec.type} does not exist`, evidence, {
        reason: 'AliasMissing',
        healable: true,
        message: `${a.spec.name} ${a.spec.type} does not exist in zone ${zone.zone.name}, so the name resolves to nothing; steady's reconcile pass creates the alias to ${lbName}`,
      });
    }
    if (!record.alias) {
      return link('alias', 'broken', `${a.spec.name} ${a.spec.type} is not an alias`, { ...evidence, values: record.values ?? [] }, {
        reason: 'NotAnAlias',
        message: `${a.spec.name} ${a.spec.type} is a plain record (${list(record.values ?? [])}), not an alias to ${lbName}: replace it with an alias (steady does so once the record is its own, see AliasRecord adopt)`,
      });
    }
    targets.push(`${record.alias.dnsName} (zone ${record.alias.hostedZoneId})`);
    if (lb === undefined || lb === null) continue;
    if (!sameAliasDnsName(record.alias.dnsName, lb.dnsName) || record.alias.hostedZoneId !== lb.canonicalHostedZoneId) {
      return link('alias', 'broken', `${a.spec.name} points at ${record.alias.dnsName}`, { ...evidence, aliasTargets: targets }, {
        reason: 'AliasStale',
        healable: true,
        message: `${a.spec.name} ${a.spec.type} points at ${record.alias.dnsName} (zone ${record.alias.hostedZoneId}), but ${lbName} is ${lb.dnsName} (zone ${lb.canonicalHostedZoneId}): requests for ${a.spec.name} do not reach the load balancer. steady's reconcile pass re-points the alias`,
      });
    }
  }
  evidence.aliasTargets = targets;
  if (lb === undefined) return link('alias', 'skipped', `${list(records)} -> ${list(targets)}`, evidence, { reason: 'NotChecked', message: `not compared: load balancer ${lbName} could not be read` });
  if (lb === null) return link('alias', 'skipped', `${list(records)} -> ${list(targets)}`, evidence, { reason: 'NotChecked', message: `not compared: load balancer ${lbName} does not exist` });
  return link('alias', 'ok', `${list(records)} -> ${lb.dnsName}`, evidence);
}

function loadBalancerLink(placement: Placement, lb: LoadBalancer | null | undefined, f: Facts): WiringLink {
  if (placement.problem) {
    const { status, reason, message, cause } = placement.problem;
    return link('loadBalancer', status, status === 'unknown' ? 'not known' : 'none in front of the target group', {}, { reason, message, ...(cause ? { cause } : {}) });
  }
  const name = placement.name!;
  if (lb === undefined) return unknown('loadBalancer', `load balancer ${name}`, errorFor(f, [`lb:${name}`], name));
  if (lb === null) {
    return link('loadBalancer', 'broken', `${name} does not exist`, { name, foundBy: placement.foundBy! }, {
      reason: 'LoadBalancerNotFound',
      message: `load balancer ${name} does not exist (${placement.foundBy}): create it, or fix the name`,
    });
  }
  const evidence: Evidence = { name, arn: lb.arn, state: lb.state, type: lb.type, scheme: lb.scheme, dnsName: lb.dnsName, foundBy: placement.foundBy! };
  if (lb.state !== 'active') {
    const why: Record<string, string> = {
      provisioning: 'it is still provisioning (a new or recreated load balancer takes a few minutes) and serves no traffic yet',
      active_impaired: 'it is active_impaired: it cannot scale and may drop requests',
      failed: 'it failed to set up and serves no traffic: recreate it',
    };
    return link('loadBalancer', 'broken', `${name} ${lb.state}`, evidence, {
      // Provisioning ends by itself within minutes; the other states need a person.
      reason: lb.state === 'provisioning' ? 'LoadBalancerProvisioning' : 'LoadBalancerNotActive',
      message: `load balancer ${name} is not active: ${why[lb.state] ?? lb.state}`,
    });
  }
  return link('loadBalancer', 'ok', `${name} active (${lb.type}, ${lb.scheme})`, evidence);
}

/** Where a listener sends a request for the target group: the rules (when read) or the default action. */
interface Route {
  listener: Listener;
  /** `default action` or `rule 10 (host-header api.example.com)`. */
  where: string;
  rule?: ListenerRule;
  action: ForwardAction;
}

function routesOf(l: Listener, f: Facts): Route[] | undefined {
  const rules = f.rules[l.arn];
  if (rules === undefined) return undefined;
  return rules.flatMap((r) =>
    r.actions.map((action) => ({
      listener: l,
      rule: r.isDefault ? undefined : r,
      where: r.isDefault ? 'default action' : `rule ${r.priority}${r.conditions.length ? ` (${r.conditions.map((c) => `${c.field} ${c.values.join(' ')}`).join(', ')})` : ''}`,
      action,
    })),
  );
}

function forwardsTo(action: ForwardAction, tgArn: string): { weight: number; total: number } | undefined {
  if (action.type !== 'forward') return undefined;
  const g = action.targetGroups.find((t) => t.arn === tgArn);
  if (!g || g.weight <= 0) return undefined;
  return { weight: g.weight, total: action.targetGroups.reduce((n, t) => n + t.weight, 0) };
}

function describeAction(action: ForwardAction): string {
  if (action.type !== 'forward') return `a ${action.type} action`;
  const live = action.targetGroups.filter((g) => g.weight > 0);
  return live.length === 0 ? 'no target group' : live.map((g) => nameFromArn(g.arn) + (live.length > 1 ? ` (weight ${g.weight})` : '')).join(', ');
}

/** The listeners the service is expected behind, or why that cannot be said. */
function chooseListeners(svc: ServiceDoc, lbName: string, listeners: Listener[], tg: TargetGroup | null | undefined, f: Facts): { chosen: Listener[]; problem?: WiringLink } {
  const exp = svc.spec.loadBalancer?.listener;
  const all = listeners.map(listenerLabel);
  const evidence: Evidence = { listeners: all };
  if (listeners.length === 0) {
    return {
      chosen: [],
      problem: link('listener', 'broken', `${lbName} has no listeners`, evidence, {
        reason: 'NoListener',
        message: `load balancer ${lbName} has no listeners, so it accepts no requests: add ${exp?.protocol === 'HTTP' ? 'an HTTP' : 'an HTTPS'} listener${exp?.port ? ` on port ${exp.port}` : ''} that forwards to ${svc.spec.loadBalancer!.targetGroup}`,
      }),
    };
  }
  if (exp?.port !== undefined || exp?.protocol !== undefined) {
    const wanted = `${exp.protocol ?? ''}${exp.protocol && exp.port !== undefined ? ':' : ''}${exp.port ?? ''}`;
    const onPort = exp.port !== undefined ? listeners.filter((l) => l.port === exp.port) : listeners;
    if (onPort.length === 0) {
      return {
        chosen: [],
        problem: link('listener', 'broken', `no listener on port ${exp.port}`, { ...evidence, expected: wanted }, {
          reason: 'ListenerNotFound',
          message: `load balancer ${lbName} has no listener on port ${exp.port} (it has ${list(all)}): add ${exp.protocol ? `an ${exp.protocol}` : 'a'} listener on port ${exp.port}${exp.protocol === 'HTTPS' ? ' with a certificate' : ''} that forwards to ${svc.spec.loadBalancer!.targetGroup}`,
        }),
      };
    }
    const matching = exp.protocol ? onPort.filter((l) => l.protocol === exp.protocol) : onPort;
    if (matching.length === 0) {
      return {
        chosen: [],
        problem: link('listener', 'broken', `${list(onPort.map(listenerLabel))}, not ${exp.protocol}`, { ...evidence, expected: wanted }, {
          reason: 'ListenerProtocolMismatch',
          message: `listener ${list(onPort.map(listenerLabel))} of ${lbName} does not use ${exp.protocol}, as spec.loadBalancer.listener expects: change its protocol${exp.protocol === 'HTTPS' ? ' (and give it a certificate)' : ''}`,
        }),
      };
    }
    return { chosen: matching };
  }
  // Nothing expected: the listeners that forward to the target group, else all of them.
  const forwarding = tg
    ? listeners.filter((l) => (routesOf(l, f)?.map((r) => r.action) ?? l.defaultActions).some((action) => forwardsTo(action, tg.arn)))
    : [];
  return { chosen: forwarding.length > 0 ? forwarding : listeners };
}

function listenerLink(lbName: string, chosen: Listener[], listeners: Listener[], svc: ServiceDoc): WiringLink {
  const insecure = chosen.filter((l) => (l.protocol === 'HTTPS' || l.protocol === 'TLS') && l.certificateArns.length === 0);
  const evidence: Evidence = {
    listeners: listeners.map(listenerLabel),
    checked: chosen.map(listenerLabel),
    arns: chosen.map((l) => l.arn),
  };
  const exp = svc.spec.loadBalancer?.listener;
  if (exp?.port !== undefined || exp?.protocol) evidence.expected = `${exp.protocol ?? ''}${exp.protocol && exp.port !== undefined ? ':' : ''}${exp.port ?? ''}`;
  if (insecure.length > 0) {
    return link('listener', 'broken', `${list(insecure.map(listenerLabel))} without a certificate`, evidence, {
      reason: 'ListenerWithoutCertificate',
      message: `listener ${list(insecure.map(listenerLabel))} of ${lbName} has no certificate: add one (ACM) to the listener`,
    });
  }
  const certs = chosen.flatMap((l) => l.certificateArns);
  if (certs.length > 0) evidence.certificates = certs;
  return link('listener', 'ok', list(chosen.map(listenerLabel)), evidence);
}

function certificateLink(lbName: string, chosen: Listener[], f: Facts): WiringLink | undefined {
  const secure = chosen.filter((l) => l.certificateArns.length > 0);
  if (secure.length === 0) return undefined;
  const arns = [...new Set(secure.flatMap((l) => l.certificateArns))];
  if (!f.certificateSource) {
    return link('certificate', 'skipped', 'expiry not checked', { certificates: arns }, {
      reason: 'NotChecked',
      message: 'certificate expiry not checked: reading it needs ACM DescribeCertificate, and steady has no ACM client yet',
    });
  }
  const limit = f.certificateExpiryDays;
  const infos: CertificateInfo[] = [];
  for (const arn of arns) {
    const info = f.certificates[arn];
    if (info === undefined) return unknown('certificate', `certificate ${arn}`, errorFor(f, [`cert:${arn}`]));
    const on = `${list(secure.filter((l) => l.certificateArns.includes(arn)).map(listenerLabel))} of ${lbName}`;
    if (info === null) {
      return link('certificate', 'broken', `${arn} not found`, { certificates: arns, source: f.certificateSource }, {
        reason: 'CertificateNotFound',
        message: `certificate ${arn} on listener ${on} does not exist in ${f.certificateSource}: put an issued certificate on the listener`,
      });
    }
    const daysLeft = Math.floor((info.notAfter - f.now) / DAY_MS);
    const evidence: Evidence = {
      certificate: arn,
      ...(info.domainName ? { domainName: info.domainName } : {}),
      status: info.status,
      notAfter: new Date(info.notAfter).toISOString(),
      daysLeft,
      limitDays: limit,
      source: f.certificateSource,
    };
    const what = `certificate ${info.domainName ? `for ${info.domainName} ` : ''}(${arn}) on listener ${on}`;
    if (info.status === 'EXPIRED' || info.notAfter <= f.now) {
      return link('certificate', 'broken', `expired ${isoDate(info.notAfter)}`, evidence, {
        reason: 'CertificateExpired',
        message: `${what} expired on ${isoDate(info.notAfter)}: browsers refuse the connection. Renew or replace it and put the new one on the listener`,
      });
    }
    if (info.status !== 'ISSUED') {
      return link('certificate', 'broken', `status ${info.status}`, evidence, {
        reason: 'CertificateNotIssued',
        message: `${what} is ${info.status}, not ISSUED: put an issued certificate on the listener`,
      });
    }
    if (daysLeft < limit) {
      return link('certificate', 'broken', `expires ${isoDate(info.notAfter)} (in ${plural(daysLeft, 'day')})`, evidence, {
        reason: 'CertificateExpiring',
        message: `${what} expires on ${isoDate(info.notAfter)}, in ${plural(daysLeft, 'day')} (the limit is ${limit}): ACM renews the certificates it issued 60 days before they expire, so this one is imported or failed to renew (check its DNS validation record). Renew or replace it before then`,
      });
    }
    infos.push(info);
  }
  const soonest = infos.reduce((a, b) => (b.notAfter < a.notAfter ? b : a));
  const daysLeft = Math.floor((soonest.notAfter - f.now) / DAY_MS);
  return link('certificate', 'ok', `${soonest.domainName ? `${soonest.domainName}, ` : ''}expires ${isoDate(soonest.notAfter)} (in ${plural(daysLeft, 'day')})`, {
    certificates: arns,
    ...(soonest.domainName ? { domainName: soonest.domainName } : {}),
    status: soonest.status,
    notAfter: new Date(soonest.notAfter).toISOString(),
    daysLeft,
    limitDays: limit,
    source: f.certificateSource,
  });
}

/** `*.example.com` matches `api.example.com`; `?` one character; case-insensitive. */
function hostMatches(pattern: string, host: string): boolean {
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(host.toLowerCase());
}

function forwardLink(lbName: string, chosen: Listener[], tg: TargetGroup, names: string[], svc: ServiceDoc, f: Facts): WiringLink {
  const routes: Route[] = [];
  for (const l of chosen) {
    const r = routesOf(l, f);
    if (r === undefined) return unknown('forward', `rules of listener ${listenerLabel(l)} of ${lbName}`, errorFor(f, [`rules:${l.arn}`]));
    routes.push(...r);
  }
  const hits = routes.filter((r) => forwardsTo(r.action, tg.arn));
  const describe = (r: Route) => {
    const w = forwardsTo(r.action, tg.arn);
    return `${listenerLabel(r.listener)} ${r.where} -> ${tg.name}${w && w.total !== w.weight ? ` (weight ${w.weight} of ${w.total})` : ''}`;
  };
  if (hits.length === 0) {
    const defaults = routes.filter((r) => !r.rule);
    return link('forward', 'broken', `nothing forwards to ${tg.name}`, { targetGroup: tg.name, targetGroupArn: tg.arn, routes: routes.map((r) => `${listenerLabel(r.listener)} ${r.where} -> ${describeAction(r.action)}`) }, {
      reason: 'ListenerForwardsElsewhere',
      message: `listener ${list(chosen.map(listenerLabel))} of ${lbName} forwards to ${list(defaults.map((r) => describeAction(r.action)))} (${defaults.length === 1 ? 'default action' : 'default actions'}), not to ${tg.name}: requests${names.length ? ` for ${list(names)}` : ''} never reach service ${svc.metadata.name}. Point the default action, or a rule, at ${tg.name}`,
    });
  }
  // A rule that forwards only for other host names does not serve the aliases.
  if (names.length > 0) {
    const serving = hits.filter((r) => {
      const hosts = r.rule?.conditions.filter((c) => c.field === 'host-header').flatMap((c) => c.values) ?? [];
      return hosts.length === 0 || names.some((n) => hosts.some((h) => hostMatches(h, n)));
    });
    if (serving.length === 0) {
      return link('forward', 'broken', `${list(hits.map(describe))}, for other host names`, { targetGroup: tg.name, targetGroupArn: tg.arn, routes: hits.map(describe), names }, {
        reason: 'RuleHostMismatch',
        message: `${list(hits.map((r) => `${listenerLabel(r.listener)} ${r.where}`))} of ${lbName} forwards to ${tg.name} only for other host names than ${list(names)}: add ${list(names)} to the rule's host-header condition`,
      });
    }
    return link('forward', 'ok', list(serving.map(describe)), { targetGroup: tg.name, targetGroupArn: tg.arn, routes: serving.map(describe) });
  }
  return link('forward', 'ok', list(hits.map(describe)), { targetGroup: tg.name, targetGroupArn: tg.arn, routes: hits.map(describe) });
}

function targetGroupLink(tg: TargetGroup, svc: ServiceDoc, lb: LoadBalancer | null | undefined): WiringLink {
  const spec = svc.spec.loadBalancer!;
  const port = spec.containerPort;
  const evidence: Evidence = {
    name: tg.name,
    arn: tg.arn,
    protocol: tg.protocol ?? 'none',
    port: tg.port ?? 'none',
    targetType: tg.targetType,
    containerPort: port,
    healthCheck: `${tg.healthCheckProtocol ?? '?'} ${tg.healthCheckPort ?? 'traffic-port'} ${tg.healthCheckPath ?? ''}`.trim(),
    ...(tg.matcher ? { matcher: tg.matcher } : {}),
  };
  const summary = `${tg.name} ${tg.protocol ?? '?'}:${tg.port ?? '?'}, ${tg.targetType} targets`;
  if (tg.targetType !== 'ip') {
    return link('targetGroup', 'broken', summary, evidence, {
      reason: 'TargetTypeNotIp',
      message: `target group ${tg.name} takes ${tg.targetType} targets, but Fargate tasks (awsvpc) register by IP address: create a target group of type ip and move the listener and service ${svc.metadata.name} to it`,
    });
  }
  if (tg.port !== port) {
    return link('targetGroup', 'broken', summary, evidence, {
      reason: 'TargetGroupPortMismatch',
      message: `target group ${tg.name} is for port ${tg.port}, but container ${spec.containerName} listens on ${port} (spec.loadBalancer.containerPort): a target group's port cannot be changed, so create one for port ${port} and move the listener and service ${svc.metadata.name} to it, or fix the spec`,
    });
  }
  if (tg.healthCheckPort && tg.healthCheckPort !== 'traffic-port' && tg.healthCheckPort !== String(port)) {
    return link('targetGroup', 'broken', summary, evidence, {
      reason: 'HealthCheckPortMismatch',
      message: `target group ${tg.name} checks health on port ${tg.healthCheckPort}, but container ${spec.containerName} listens on ${port}: set the health-check port to traffic-port`,
    });
  }
  if (lb?.type === 'application' && tg.protocol !== 'HTTP' && tg.protocol !== 'HTTPS') {
    return link('targetGroup', 'broken', summary, evidence, {
      reason: 'TargetGroupProtocol',
      message: `target group ${tg.name} uses ${tg.protocol}, which an application load balancer cannot forward to: use an HTTP or HTTPS target group`,
    });
  }
  return link('targetGroup', 'ok', summary, evidence);
}

function healthCheckLink(tg: TargetGroup, svc: ServiceDoc, running: TaskDefinitionContent | undefined, runningLabel: string | undefined): WiringLink {
  const containerName = svc.spec.loadBalancer!.containerName;
  const fromRevision = running?.containerDefinitions.find((c) => c.name === containerName);
  const command = fromRevision ? fromRevision.healthCheck?.command : svc.spec.taskDefinition.containers.find((c) => c.name === containerName)?.healthCheck?.command;
  const source = fromRevision ? `revision ${runningLabel}` : 'spec';
  const path = tg.healthCheckPath ?? '/';
  const evidence: Evidence = { targetGroupPath: path, container: containerName, source };
  if (command) evidence.containerCommand = commandText(command);
  if (tg.healthCheckProtocol && tg.healthCheckProtocol !== 'HTTP' && tg.healthCheckProtocol !== 'HTTPS') {
    return link('healthCheck', 'skipped', `${tg.healthCheckProtocol} check`, evidence, { reason: 'NotChecked', message: `not compared: target group ${tg.name} checks ${tg.healthCheckProtocol}, not a path` });
  }
  const agreement = healthCheckAgreement(command, path);
  switch (agreement.kind) {
    case 'agrees':
      return link('healthCheck', 'ok', `${path}, as container ${containerName}'s health check (${agreement.url.text})`, { ...evidence, containerUrl: agreement.url.text });
    case 'differs':
      return link('healthCheck', 'broken', `${tg.name} checks ${path}, container ${containerName} checks ${list(agreement.urls.map((u) => u.path))}`, { ...evidence, containerUrls: agreement.urls.map((u) => u.text) }, {
        reason: 'HealthCheckPathMismatch',
        message: `target group ${tg.name} checks ${path}, but container ${containerName}'s own health check requests ${list(agreement.urls.map((u) => u.path))} (${commandText(command!)}): the load balancer probes a path the application may not serve. Make them the same: the target group's health-check path, or the container's healthCheck.command`,
      });
    case 'noUrl':
      return link('healthCheck', 'skipped', `${path}; container ${containerName}'s check has no URL`, evidence, {
        reason: 'NotChecked',
        message: `not compared: container ${containerName}'s health check (${commandText(command!)}) requests no http://localhost URL to compare with ${path}`,
      });
    case 'noHealthCheck':
      return link('healthCheck', 'skipped', `${path}; container ${containerName} has no health check`, evidence, {
        reason: 'NotChecked',
        message: `not compared: container ${containerName} has no health check; only the target group checks ${path}`,
      });
  }
}

/** `pair`: for a blue/green service, the ARNs of its CodeDeploy target groups: a binding to either serves. */
function bindingLink(svc: ServiceDoc, service: EcsService, tg: TargetGroup, pair: string[] = []): WiringLink {
  const spec = svc.spec.loadBalancer!;
  const bindings = service.loadBalancers.map((b) => `${nameFromArn(b.targetGroupArn)} <- ${b.containerName}:${b.containerPort}`);
  const evidence: Evidence = { service: service.name, serviceArn: service.arn, bindings, deploymentController: service.deploymentController };
  const healable = service.deploymentController === 'ECS';
  const heal = healable ? "; steady's reconcile pass updates the service" : ' (the service is deployed through CodeDeploy, which owns its load balancer settings)';
  const b = service.loadBalancers.find((x) => x.targetGroupArn === tg.arn) ?? service.loadBalancers.find((x) => pair.includes(x.targetGroupArn));
  if (!b) {
    return link('binding', 'broken', bindings.length ? `bound to ${list(service.loadBalancers.map((x) => nameFromArn(x.targetGroupArn)))}` : 'bound to no target group', evidence, {
      reason: 'NotBoundToTargetGroup',
      healable,
      message: `ECS service ${service.name} is bound to ${bindings.length ? list(service.loadBalancers.map((x) => nameFromArn(x.targetGroupArn))) : 'no target group'}, not ${tg.name}: its tasks are not registered where the load balancer sends requests${heal}`,
    });
  }
  if (b.containerName !== spec.containerName || b.containerPort !== spec.containerPort) {
    return link('binding', 'broken', `${tg.name} <- ${b.containerName}:${b.containerPort}`, evidence, {
      reason: 'ContainerBindingMismatch',
      healable,
      message: `ECS service ${service.name} registers container ${b.containerName} port ${b.containerPort} in ${tg.name}, the spec says ${spec.containerName} port ${spec.containerPort}${heal}`,
    });
  }
  return link('binding', 'ok', `${service.name} -> ${nameFromArn(b.targetGroupArn)}, container ${b.containerName}:${b.containerPort}${b.targetGroupArn !== tg.arn ? ` (CodeDeploy moves traffic to ${tg.name})` : ''}`, evidence);
}

/** The deployment that serves (or is taking over) traffic: PRIMARY deployment or task set. */
function primaryOf(service: EcsService): { id: string; taskDefinitionArn: string; running: number; desired: number; rolloutState?: string; rolloutStateReason?: string } {
  const d = service.deployments.find((x) => x.status === 'PRIMARY');
  if (d) return { id: d.id, taskDefinitionArn: d.taskDefinitionArn, running: d.runningCount, desired: d.desiredCount, rolloutState: d.rolloutState, rolloutStateReason: d.rolloutStateReason };
  const ts = service.taskSets?.find((x) => x.status === 'PRIMARY');
  return { id: ts?.id ?? 'service', taskDefinitionArn: ts?.taskDefinitionArn ?? service.taskDefinitionArn, running: service.runningCount, desired: service.desiredCount };
}

/** The content the spec asks for, the revision the service runs, and whether they agree. */
interface Expected {
  content?: TaskDefinitionContent;
  problem?: WiringLink;
}

function expectedContent(svc: ServiceDoc, service: EcsService, f: Facts): Expected {
  const current = f.taskDefinitions[service.taskDefinitionArn];
  const built = desiredTaskDefinition(svc.spec.taskDefinition, f.images, current);
  if ('content' in built) return { content: built.content };
  const missing = built.problems.filter((p) => p.kind === 'notFound');
  if (missing.length > 0) {
    return {
      problem: link('deployment', 'broken', 'image not found', { images: missing.map((p) => p.image) }, {
        reason: 'ImageNotFound',
        message: `image not found in ECR: ${list(missing.map((p) => `${p.image} (container ${p.container})`))}; fix the image in the spec or push it`,
      }),
    };
  }
  return { problem: unknown('deployment', `image ${list(built.problems.map((p) => p.image))} in ECR`, errorFor(f, built.problems.map((p) => `image:${p.image}`), 'image')) };
}

function deploymentLink(svc: ServiceDoc, service: EcsService, expected: Expected, f: Facts): WiringLink {
  const p = primaryOf(service);
  const label = revisionLabel(p.taskDefinitionArn);
  const running = f.taskDefinitions[p.taskDefinitionArn];
  const evidence: Evidence = {
    deployment: p.id,
    taskDefinition: p.taskDefinitionArn,
    runningCount: p.running,
    desiredCount: p.desired,
    ...(p.rolloutState ? { rolloutState: p.rolloutState } : {}),
    otherDeployments: service.deployments.filter((d) => d.status !== 'PRIMARY').map((d) => `${d.id} ${d.status} ${revisionLabel(d.taskDefinitionArn)} (${d.runningCount} running)`),
  };
  if (expected.problem) return expected.problem;
  if (!running) return unknown('deployment', `task definition ${label}`, errorFor(f, [`td:${p.taskDefinitionArn}`], p.taskDefinitionArn));
  if (!taskDefinitionsEqual(running.content, expected.content!)) {
    const diff = taskDefinitionDiff(running.content, expected.content!);
    const shown = diff.map((d) => `${d.path}: ${d.before ?? '(none)'} -> ${d.after ?? '(none)'}`);
    // A revision with content the spec cannot say is not replaced: the Service is Blocked (UnexpressibleFields).
    const hidden = unexpressibleFields(running.content).map((h) => h.path);
    const heal = hidden.length
      ? `; it also has content the spec language cannot express (${list(hidden)}), so steady does not replace it (see the status of Service ${svc.metadata.name})`
      : service.deploymentController === 'ECS'
        ? "; steady's reconcile pass registers the expected revision and rolls it out"
        : '; steady starts a CodeDeploy deployment of the expected revision';
    return link('deployment', 'broken', `${p.id} runs ${label}, not what the spec says`, { ...evidence, differences: shown }, {
      reason: 'UnexpectedRevision',
      healable: hidden.length === 0,
      message: `the PRIMARY deployment ${p.id} of ECS service ${service.name} runs ${label}, which differs from the spec in ${list(diff.map((d) => d.path))}${heal}`,
    });
  }
  if (p.rolloutState === 'FAILED') {
    return link('deployment', 'broken', `${p.id} ${label} failed`, evidence, {
      reason: 'RolloutFailed',
      message: `the rollout of ${label} to ECS service ${service.name} failed: ${p.rolloutStateReason ?? 'no reason given'}`,
    });
  }
  if (p.running !== p.desired) {
    const event = service.events[0]?.message;
    const inProgress = p.rolloutState === 'IN_PROGRESS';
    return link('deployment', 'broken', `${p.id} runs ${label}, ${p.running}/${p.desired} tasks running`, { ...evidence, ...(event ? { latestEvent: event } : {}) }, {
      reason: inProgress ? 'RolloutInProgress' : 'TasksNotRunning',
      message: `the PRIMARY deployment ${p.id} of ECS service ${service.name} runs ${p.running} of ${p.desired} tasks${inProgress ? ': a rollout is in progress; check again once it completes' : ': ECS cannot keep the tasks running'}${event ? ` (latest event: ${event})` : ''}`,
    });
  }
  return link('deployment', 'ok', `${p.id} runs ${label} (as the spec says), ${p.running}/${p.desired} tasks running`, evidence);
}

function targetsLink(tg: TargetGroup, targets: TargetHealth[], svc: ServiceDoc): WiringLink {
  const label = (t: TargetHealth) => `${t.id}:${t.port ?? '?'}`;
  const by = (state: string) => targets.filter((t) => t.state === state);
  const healthy = by('healthy');
  const unhealthy = targets.filter((t) => t.state === 'unhealthy' || t.state === 'unhealthy.draining' || t.state === 'unavailable');
  const other = targets.filter((t) => !healthy.includes(t) && !unhealthy.includes(t));
  const withReason = (t: TargetHealth) => `${label(t)} ${t.state}${t.reason ? ` (${t.reason}${t.description ? `: ${t.description}` : ''})` : ''}`;
  const evidence: Evidence = {
    targetGroup: tg.name,
    healthy: healthy.map(label),
    ...(unhealthy.length ? { unhealthy: unhealthy.map(withReason) } : {}),
    ...(other.length ? { other: other.map(withReason) } : {}),
  };
  const summary = `${healthy.length}/${targets.length} healthy`;
  if (targets.length === 0) {
    return link('targets', 'broken', 'no targets registered', evidence, {
      reason: 'NoTargets',
      message: `no targets are registered in ${tg.name}: the load balancer has nowhere to send requests (ECS registers the tasks of service ${svc.metadata.name} once they run)`,
    });
  }
  const reasons = [...new Set([...unhealthy, ...other].map((t) => (t.reason ? `${t.reason}${t.description ? `: ${t.description}` : ''}` : t.state)))];
  const hint = (() => {
    const codes = new Set([...unhealthy, ...other].map((t) => t.reason));
    if (codes.has('Target.ResponseCodeMismatch')) return ` — the application answers ${tg.healthCheckPath ?? '/'} with another code than ${tg.matcher ?? '200'}`;
    if (codes.has('Target.Timeout')) return ` — the application does not answer on port ${svc.spec.loadBalancer?.containerPort} in time; check that its security group lets the load balancer in`;
    if (codes.has('Target.NotInUse')) return ' — no listener or rule forwards to this target group';
    return '';
  })();
  if (healthy.length === 0) {
    const counts = new Map<string, number>();
    for (const t of [...unhealthy, ...other]) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    const states = [...counts].map(([state, n]) => `${n} ${state}`);
    return link('targets', 'broken', summary, evidence, {
      reason: 'NoHealthyTargets',
      message: `none of the ${plural(targets.length, 'target')} in ${tg.name} is healthy (${list(states)}: ${list(reasons)})${hint}: the load balancer answers 503`,
    });
  }
  if (unhealthy.length > 0) {
    return link('targets', 'broken', summary, evidence, {
      reason: 'UnhealthyTargets',
      message: `${unhealthy.length} of ${plural(targets.length, 'target')} in ${tg.name} ${unhealthy.length === 1 ? 'is' : 'are'} unhealthy (${list(reasons)})${hint}`,
    });
  }
  return link('targets', 'ok', `${summary} (${list(healthy.map(label))})`, evidence);
}

/** The digest a container should run, when steady can tell: pinned in the revision, or what its ECR tag resolves to now. */
function expectedDigest(image: string, f: Facts): { digest: string; from: string } | undefined {
  const ref = parseImageUri(image);
  if (ref.digest && isDigest(ref.digest)) return { digest: ref.digest, from: 'pinned' };
  const r = f.images[image];
  if (r?.kind === 'pinned') return { digest: r.digest, from: `${ref.ecr?.repository ?? ref.name}:${ref.tag}` };
  return undefined;
}

function tasksLink(svc: ServiceDoc, service: EcsService, tasks: EcsTask[], content: TaskDefinitionContent, contentLabel: string, f: Facts): WiringLink {
  const running = tasks.filter((t) => t.lastStatus === 'RUNNING');
  const expected = content.containerDefinitions.map((c) => ({ name: c.name, image: c.image, want: expectedDigest(c.image, f) }));
  const images = expected.map((e) => `${e.name} ${e.want ? shortDigest(e.want.digest) : 'not pinned (not checked)'}`);
  const evidence: Evidence = { runningTasks: running.length, tasks: running.map((t) => t.arn.slice(t.arn.lastIndexOf('/') + 1)), expected: images };
  if (running.length === 0) {
    return link('tasks', service.desiredCount === 0 ? 'ok' : 'broken', 'no running tasks', evidence, service.desiredCount === 0 ? {} : {
      reason: 'NoRunningTasks',
      message: `ECS service ${service.name} has no running tasks`,
    });
  }
  const stale: { task: EcsTask; container: string; runs: string; want: { digest: string; from: string } }[] = [];
  for (const t of running) {
    for (const e of expected) {
      if (!e.want) continue;
      const c = t.containers.find((x) => x.name === e.name);
      if (c?.imageDigest && c.imageDigest !== e.want.digest) stale.push({ task: t, container: e.name, runs: c.imageDigest, want: e.want });
    }
  }
  if (stale.length > 0) {
    const tasksStale = new Set(stale.map((s) => s.task.arn)).size;
    const first = stale[0];
    const containers = [...new Set(stale.map((s) => s.container))];
    const old = [...new Set(stale.map((s) => s.task.taskDefinitionArn))].filter((arn) => revisionLabel(arn) !== contentLabel);
    const fix =
      first.want.from === 'pinned'
        ? old.length > 0
          ? service.deployments.length > 1 || service.deployments.some((d) => d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS')
            ? `: they run ${list(old.map(revisionLabel))}, an older revision ECS is still replacing; check again once the deployment completes`
            : `: they run ${list(old.map(revisionLabel))}, an older revision, and no deployment is replacing it`
          : ': stop them so that ECS starts them again with the revision\'s image'
        : `: ECS resolved the tag when the deployment started and keeps that image. Start a new deployment (aws ecs update-service --cluster ${f.cluster} --service ${service.name} --force-new-deployment), or let steady own the image so it pins digests`;
    const should = first.want.from === 'pinned' ? `${shortDigest(first.want.digest)} as ${contentLabel} says` : `${first.want.from}, which is now ${shortDigest(first.want.digest)}`;
    return link('tasks', 'broken', `${tasksStale}/${running.length} running tasks on an old image`, { ...evidence, stale: stale.map((s) => `${s.task.arn.slice(s.task.arn.lastIndexOf('/') + 1)} ${s.container} ${shortDigest(s.runs)}`) }, {
      reason: 'StaleImage',
      message: `${tasksStale} of ${plural(running.length, 'running task')} of ECS service ${service.name} run ${shortDigest(first.runs)} in container ${list(containers)}, not ${should}${fix}`,
    });
  }
  return link('tasks', 'ok', `${plural(running.length, 'running task')} on the expected images (${list(images, 4)})`, evidence);
}

function probeLink(probe: ProbeResult | undefined, infraOk: boolean, firstBroken: WiringLink | undefined): WiringLink {
  if (!probe) return skipped('probe', 'not checked: probes were not run');
  const evidence: Evidence = { url: probe.url, expectStatus: probe.expectStatus, latencyMs: probe.latencyMs, ...(probe.status !== undefined ? { status: probe.status } : {}), ...(probe.error ? { error: probe.error } : {}) };
  const answer = probe.status !== undefined ? `answered ${probe.status}` : probe.error!;
  if (probe.ok) return link('probe', 'ok', `GET ${probe.url} -> ${probe.status} in ${probe.latencyMs} ms`, evidence);
  const what = `GET ${probe.url} ${probe.status !== undefined ? `answered ${probe.status}, expected ${probe.expectStatus}` : `failed: ${probe.error}`}`;
  return link('probe', 'broken', `GET ${probe.url} -> ${answer}`, evidence, {
    reason: infraOk ? 'ApplicationProblem' : 'ProbeFailed',
    message: infraOk
      ? `${what}, while every link from the name to the running containers is connected and healthy: this is an application problem (look at the application's logs and its dependencies), not an infrastructure one`
      : `${what}; the ${firstBroken ? `broken ${firstBroken.name} link above` : 'broken link above'} explains it`,
  });
}

// ------------------------------------------------------------------------------- links not read this pass

function ago(f: Facts, at: number): string {
  const minutes = Math.round((f.now - at) / 60_000);
  return minutes < 1 ? 'less than a minute ago' : `${plural(minutes, 'minute')} ago`;
}

function rotation(f: Facts): string {
  const every = `read at least every ${plural(f.rotationMinutes ?? 10, 'minute')}`;
  if (f.rotationConfiguredMinutes === undefined) return every;
  return `${every} (wiring.rotationMinutes ${f.rotationConfiguredMinutes} cannot be met within the share of ELB's request rate limit the rotation may use)`;
}

/** A link whose inputs this pass did not read and no earlier pass of this controller read either. */
function notReadYet(name: LinkName, what: string, f: Facts): WiringLink {
  return link(name, 'skipped', 'not read yet', {}, { reason: 'NotReadYet', message: `${what} not read yet: this controller started recently, and it is ${rotation(f)}` });
}

/** Adds when an earlier pass made the read a link was judged on (a read of this pass says nothing). */
function withReadTime(l: WiringLink, f: Facts, key: string): WiringLink {
  const at = f.readAt[key];
  if (at === undefined) return l;
  const slower = f.rotationConfiguredMinutes === undefined ? '' : `; ${rotation(f)}`;
  return { ...l, summary: `${l.summary} (read ${ago(f, at)}${slower})`, evidence: { ...l.evidence, readAt: new Date(at).toISOString() } };
}

/**
 * Target health not read (after a cold start, for a service not due): what ECS says of the service
 * stands in. ECS replaces tasks that fail their load balancer's health checks and says so in its
 * events, so a completed deployment with every task running and no such event means healthy targets.
 * (A service where ECS says otherwise looks wrong and is read; see select.ts.)
 */
function targetsFromService(tg: TargetGroup, service: EcsService, f: Facts): WiringLink {
  const p = primaryOf(service);
  const evidence: Evidence = { targetGroup: tg.name, source: 'ECS service', runningCount: p.running, desiredCount: p.desired, ...(p.rolloutState ? { rolloutState: p.rolloutState } : {}) };
  return link('targets', 'ok', `${p.running}/${p.desired} tasks running, no failed health checks in ECS's events (target health not read yet; it is ${rotation(f)})`, evidence);
}

/** Tasks not read: a revision that pins every image by digest runs exactly those, so the deployment's count says it. */
function tasksFromDeployment(service: EcsService, content: TaskDefinitionContent, f: Facts): WiringLink {
  const p = primaryOf(service);
  const expected = content.containerDefinitions.map((c) => ({ name: c.name, want: expectedDigest(c.image, f) }));
  if (expected.some((e) => e.want?.from !== 'pinned' && parseImageUri(content.containerDefinitions.find((c) => c.name === e.name)!.image).ecr)) {
    return notReadYet('tasks', `the tasks of ECS service ${service.name}`, f);
  }
  const images = expected.map((e) => `${e.name} ${e.want ? shortDigest(e.want.digest) : 'not pinned (not checked)'}`);
  return link('tasks', p.running === 0 && p.desired > 0 ? 'broken' : 'ok', `${plural(p.running, 'running task')} of ${revisionLabel(p.taskDefinitionArn)}, which pins its images (${list(images, 4)})`, {
    runningTasks: p.running,
    source: 'ECS deployment',
    expected: images,
  }, p.running === 0 && p.desired > 0 ? { reason: 'NoRunningTasks', message: `ECS service ${service.name} has no running tasks` } : {});
}

// ------------------------------------------------------------------------------------ one service

/** What the links of one service are judged on, found once. */
interface Subject {
  svc: ServiceDoc;
  ecsName: string;
  placement: Placement;
  lbName?: string;
  lb: LoadBalancer | null | undefined;
  names: string[];
  tg: TargetGroup | null | undefined;
  service: EcsService | null | undefined;
}

/** The name, the load balancer, its listener, certificate and forward to the target group. */
function frontLinks(s: Subject, aliases: AliasRecordDoc[], f: Facts): WiringLink[] {
  const { svc, lbName, lb, tg, placement, names } = s;
  const spec = svc.spec.loadBalancer!;
  const links: WiringLink[] = [];
  if (aliases.length > 0) links.push(aliasLink(aliases, lbName!, lb, f));
  links.push(loadBalancerLink(placement, lb, f));
  let chosen: Listener[] | undefined;
  if (lb) {
    const listeners = f.listeners[lb.arn];
    const key = `listeners:${lb.arn}`;
    if (listeners === undefined) {
      links.push(f.deferred.has(key) ? notReadYet('listener', `the listeners of ${lbName}`, f) : unknown('listener', `listeners of ${lbName}`, errorFor(f, [key])));
    } else {
      const choice = chooseListeners(svc, lbName!, listeners, tg, f);
      if (choice.problem) links.push(withReadTime(choice.problem, f, key));
      else {
        chosen = choice.chosen;
        links.push(withReadTime(listenerLink(lbName!, chosen, listeners, svc), f, key));
        const cert = certificateLink(lbName!, chosen, f);
        if (cert) links.push(cert);
      }
    }
  } else {
    links.push(skipped('listener', lbName ? `not checked: load balancer ${lbName} ${lb === null ? 'does not exist' : 'could not be read'}` : 'not checked: no load balancer is known to be in front of the service'));
  }
  if (tg === undefined) links.push(unknown('forward', `target group ${spec.targetGroup}`, errorFor(f, [`tg:${spec.targetGroup}`], spec.targetGroup)));
  else if (tg === null) {
    links.push(
      placement.problem?.reason === 'TargetGroupNotFound'
        ? skipped('forward', `not checked: target group ${spec.targetGroup} does not exist`)
        : link('forward', 'broken', `${spec.targetGroup} does not exist`, { targetGroup: spec.targetGroup }, {
            reason: 'TargetGroupNotFound',
            message: `target group ${spec.targetGroup} does not exist: create it (protocol HTTP, port ${spec.containerPort}, target type ip) and forward to it from ${lbName}, or fix spec.loadBalancer.targetGroup`,
          }),
    );
  } else if (chosen) links.push(forwardLink(lbName!, chosen, tg, names, svc, f));
  else links.push(skipped('forward', lb && f.deferred.has(`listeners:${lb.arn}`) ? 'not checked: the listeners were not read yet' : 'not checked: no listener to look at'));
  return links;
}

const skipNoTargetGroup = (name: LinkName, spec: NonNullable<ServiceDoc['spec']['loadBalancer']>, tg: null | undefined) =>
  skipped(name, `not checked: target group ${spec.targetGroup} ${tg === null ? 'does not exist' : 'could not be read'}`);

/** The service itself: its binding to the target group, its deployment, the targets and the tasks. */
function serviceLinks(s: Subject, runningTd: EcsTaskDefinition | undefined, f: Facts): WiringLink[] {
  const { svc, ecsName, tg, service } = s;
  const spec = svc.spec.loadBalancer;
  const links: WiringLink[] = [];
  const missingService = (name: LinkName): WiringLink =>
    service === undefined
      ? unknown(name, `ECS service ${ecsName}`, errorFor(f, [`service:${ecsName}`], ecsName))
      : link(name, 'broken', `${ecsName} does not exist`, { service: ecsName, cluster: f.cluster }, {
          reason: 'ServiceNotFound',
          healable: true,
          message: `ECS service ${ecsName} does not exist in cluster ${f.cluster}; steady's reconcile pass creates it`,
        });
  const usable = service && service.status !== 'INACTIVE' ? service : undefined;
  if (spec) {
    if (!usable) links.push(missingService('binding'));
    else if (usable.status === 'DRAINING') {
      links.push(link('binding', 'broken', `${ecsName} is being deleted`, { service: ecsName, status: usable.status }, { reason: 'ServiceDraining', message: `ECS service ${ecsName} is being deleted (DRAINING); steady creates it again once it is gone` }));
    } else if (tg) links.push(bindingLink(svc, usable, tg, f.blueGreen[svc.metadata.name]?.pair.map((n) => f.targetGroups[n]?.arn).filter((a): a is string => !!a)));
    else links.push(skipNoTargetGroup('binding', spec, tg));
  }
  let expected: Expected | undefined;
  if (!usable) links.push(spec ? skipped('deployment', `not checked: ECS service ${ecsName} ${service === undefined ? 'could not be read' : 'does not exist'}`) : missingService('deployment'));
  else {
    expected = expectedContent(svc, usable, f);
    links.push(deploymentLink(svc, usable, expected, f));
  }
  if (spec) {
    if (!tg) links.push(skipNoTargetGroup('targets', spec, tg));
    else {
      const key = `health:${tg.arn}`;
      const targets = f.health[tg.arn];
      if (targets !== undefined) links.push(withReadTime(targetsLink(tg, targets, svc), f, key));
      else if (f.deferred.has(key) && usable) links.push(targetsFromService(tg, usable, f));
      else links.push(unknown('targets', `target health of ${tg.name}`, errorFor(f, [key])));
    }
  }
  if (!usable) links.push(skipped('tasks', `not checked: ECS service ${ecsName} ${service === undefined ? 'could not be read' : 'does not exist'}`));
  else {
    const key = `tasks:${ecsName}`;
    const tasks = f.tasks[ecsName];
    const content = expected?.content ?? runningTd?.content;
    const runningLabel = revisionLabel(primaryOf(usable).taskDefinitionArn);
    if (!content) links.push(skipped('tasks', 'not checked: the expected images are not known'));
    else if (tasks !== undefined) {
      links.push(withReadTime(tasksLink(svc, usable, tasks, content, expected?.content && runningTd && taskDefinitionsEqual(runningTd.content, expected.content) ? runningLabel : 'the spec', f), f, key));
    } else if (f.deferred.has(key) && runningTd) links.push(tasksFromDeployment(usable, runningTd.content, f));
    else links.push(unknown('tasks', `tasks of ECS service ${ecsName}`, errorFor(f, [key])));
  }
  return links;
}

/**
 * Judges the whole chain of one service.
 *
 * @example
 * const result = evaluateService(svc, facts); // facts from gatherFacts (check.ts)
 * console.log(result.condition.type, result.firstBroken);
 */
export function evaluateService(svc: ServiceDoc, f: Facts): WiringResult {
  const spec = svc.spec.loadBalancer;
  const placement = placeLoadBalancer(svc, f);
  const lbName = placement.name;
  const lb = lbName ? f.loadBalancers[lbName] : undefined;
  const aliases = lbName ? aliasesTo(lbName, lb, f.aliasIndex) : [];
  const tgName = liveTargetGroup(svc, f);
  const tg = tgName ? f.targetGroups[tgName] : undefined;
  const ecsName = serviceName(svc);
  const s: Subject = { svc, ecsName, placement, lbName, lb, names: aliases.map((a) => a.spec.name), tg, service: f.services[ecsName] };
  // What the service runs: the live revision, against what the spec asks for.
  const primary = s.service ? primaryOf(s.service) : undefined;
  const runningTd = primary ? f.taskDefinitions[primary.taskDefinitionArn] : undefined;

  const links: WiringLink[] = spec ? frontLinks(s, aliases, f) : [];
  if (spec) {
    if (tg) links.push(targetGroupLink(tg, svc, lb), healthCheckLink(tg, svc, runningTd?.content, primary && revisionLabel(primary.taskDefinitionArn)));
    else links.push(skipNoTargetGroup('targetGroup', spec, tg), skipNoTargetGroup('healthCheck', spec, tg));
  }
  links.push(...serviceLinks(s, runningTd, f));

  const infra = links.find((l) => l.status === 'broken' || l.status === 'unknown');
  const inMaintenance = maintenanceInFront(f.maintenance ?? [], lbName, chosenListeners(lb, svc, tg, f), s.names, f.rules);
  if (svc.spec.probe) links.push(inMaintenance ? probeInMaintenance(inMaintenance) : probeLink(f.probes[svc.metadata.name], !infra, infra));

  const first = links.find((l) => l.status === 'broken' || l.status === 'unknown');
  const healthKey = tg ? `health:${tg.arn}` : undefined;
  const healthReadAt = healthKey && f.health[tg!.arn] !== undefined ? (f.readAt[healthKey] ?? f.now) : undefined;
  return {
    environment: f.environment,
    service: svc.metadata.name,
    serviceName: ecsName,
    names: s.names,
    ...(lbName ? { loadBalancer: lbName } : {}),
    ...(spec ? { targetGroup: spec.targetGroup } : {}),
    links,
    ...(first ? { firstBroken: first.name } : {}),
    condition: inMaintenance ? conditionInMaintenance(inMaintenance, first, s.names.length > 0 ? list(s.names) : `load balancer ${lbName}`) : conditionOf(svc, first, s.names, lbName),
    ...(f.probes[svc.metadata.name] ? { probe: f.probes[svc.metadata.name] } : {}),
    checkedAt: f.now,
    ...(healthReadAt !== undefined ? { healthReadAt } : {}),
    specHash: specHash(svc),
  };
}

/** The listeners a service is expected behind (as the listener link chose them), when they can be told. */
function chosenListeners(lb: LoadBalancer | null | undefined, svc: ServiceDoc, tg: TargetGroup | null | undefined, f: Facts): Listener[] | undefined {
  const listeners = lb ? f.listeners[lb.arn] : undefined;
  if (!lb || !listeners) return undefined;
  const choice = chooseListeners(svc, lb.name, listeners, tg, f);
  return choice.problem ? undefined : choice.chosen;
}

function conditionOf(svc: ServiceDoc, first: WiringLink | undefined, names: string[], lbName: string | undefined): WiringCondition {
  if (first) return { type: 'Degraded', reason: first.reason ?? 'Broken', message: first.message ?? first.summary };
  if (!svc.spec.loadBalancer) return { type: 'Ready', reason: 'Wired', message: `service ${svc.metadata.name} runs what the spec says and answers its probe` };
  const from = names.length > 0 ? list(names) : `load balancer ${lbName}`;
  return { type: 'Ready', reason: 'Wired', message: `${from} reaches service ${svc.metadata.name}: every link is connected` };
}
