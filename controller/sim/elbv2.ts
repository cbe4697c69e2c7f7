import {
  DuplicateListenerException,
  DuplicateLoadBalancerNameException,
  DuplicateTagKeysException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2ServiceException,
  InvalidConfigurationRequestException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  OperationNotPermittedException,
  PriorityInUseException,
  ResourceInUseException,
  RuleNotFoundException,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  TooManyRulesException,
  TooManyTagsException,
  UnsupportedProtocolException,
  type Action,
  type AddTagsInput,
  type Certificate,
  type CreateListenerInput,
  type CreateLoadBalancerInput,
  type CreateRuleInput,
  type CreateTargetGroupInput,
  type DeregisterTargetsInput,
  type DescribeListenersInput,
  type DescribeLoadBalancersInput,
  type DescribeRulesInput,
  type DescribeTagsInput,
  type DescribeTargetGroupsInput,
  type DescribeTargetHealthInput,
  type Listener,
  type LoadBalancer,
  type LoadBalancerStateEnum,
  type ModifyListenerInput,
  type ModifyTargetGroupInput,
  type RegisterTargetsInput,
  type RemoveTagsInput,
  type Rule,
  type RuleCondition,
  type Tag,
  type TargetGroup,
  type TargetHealthDescription,
  type TargetHealthReasonEnum,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SimAccount, SimService } from './account.js';
import { awsError, unmodelledError } from './errors.js';
import { page } from './paging.js';
import { SEEDED_AGE_MS } from './support.js';

// ------------------------------------------------------------------------------------ constants

/**
 * Canonical hosted zone ids of Elastic Load Balancing per region (AWS General Reference, "Elastic
 * Load Balancing endpoints and quotas"; the same table terraform-provider-aws carries). Route 53
 * aliases to a load balancer must name this zone, not the zone being edited.
 */
export const ELB_HOSTED_ZONE_IDS: Readonly<Record<string, { application: string; network: string }>> = {
  'af-south-1': { application: 'Z268VQBMOI5EKX', network: 'Z203XCE67M25HM' },
  'ap-east-1': { application: 'Z3DQVH9N71FHZ0', network: 'Z12Y7K3UBGUAD1' },
  'ap-northeast-1': { application: 'Z14GRHDCWA56QT', network: 'Z31USIVHYNEOWT' },
  'ap-northeast-2': { application: 'ZWKZPGTI48KDX', network: 'ZIBE1TIR4HY56' },
  'ap-northeast-3': { application: 'Z5LXEXXYW11ES', network: 'Z1GWIQ4HH19I5X' },
  'ap-south-1': { application: 'ZP97RAFLXTNZK', network: 'ZVDDRBQ08TROA' },
  'ap-southeast-1': { application: 'Z1LMS91P8CMLE5', network: 'ZKVM4W9LS7TM' },
  'ap-southeast-2': { application: 'Z1GM3OXH4ZPM65', network: 'ZCT6FZBF4DROD' },
  'ca-central-1': { application: 'ZQSVJUPU6J1EY', network: 'Z2EPGBW3API2WT' },
  'eu-central-1': { application: 'Z215JYRZR1TBD5', network: 'Z3F0SRJ5LGBH90' },
  'eu-north-1': { application: 'Z23TAZ6LKFMNIO', network: 'Z1UDT6IFJ4EJM' },
  'eu-south-1': { application: 'Z3ULH7SSC9OV64', network: 'Z23146JA1KNAFP' },
  'eu-west-1': { application: 'Z32O12XQLNTSW2', network: 'Z2IFOLAFXWLO4F' },
  'eu-west-2': { application: 'ZHURV8PSTC4K8', network: 'ZD4D7Y8KGAS4G' },
  'eu-west-3': { application: 'Z3Q77PNBQS71R4', network: 'Z1CMS0P5QUZ6D5' },
  'me-south-1': { application: 'ZS929ML54UICD', network: 'Z3QSRYVP46NYYV' },
  'sa-east-1': { application: 'Z2P70J7HTTTPLU', network: 'ZTK26PT1VY4CU' },
  'us-east-1': { application: 'Z35SXDOTRQ7X7K', network: 'Z26RNL4JYFTOTI' },
  'us-east-2': { application: 'Z3AADJGX6KTTL2', network: 'ZLMOA37VPKANP' },
  'us-west-1': { application: 'Z368ELLRRE2KJ0', network: 'Z24FKFUX50B4VW' },
  'us-west-2': { application: 'Z1H1FL5HABSF5', network: 'Z18D5FSROUN65G' },
};

type LbType = 'application' | 'network';

/**
 * The canonical hosted zone id of a region's load balancers. Regions missing from the table get a
 * made-up id (`ZSIMALB` / `ZSIMNLB` + the region's letters and digits, upper-cased) so that the
 * simulator still works there; such ids are obviously not AWS's.
 */
export function elbHostedZoneId(region: string, type: LbType): string {
  const known = ELB_HOSTED_ZONE_IDS[region];
  if (known) return known[type];
  return `ZSIM${type === 'application' ? 'ALB' : 'NLB'}${region.replace(/[^a-z0-9]/gi, '').toUpperCase()}`;
}

/** The DNS domain under which a region's load balancers of one type get their names. */
function elbDomain(region: string, type: LbType): string {
  return type === 'application' ? `${region}.elb.amazonaws.com` : `elb.${region}.amazonaws.com`;
}

/** Time from CreateLoadBalancer (`provisioning`) to `active`. Real ALBs take a few minutes. */
export const PROVISIONING_MS = 120_000;
/** Time a newly registered target shows `Elb.RegistrationInProgress` before health checks start. */
export const REGISTRATION_MS = 5_000;
/** Deregistration delay (`deregistration_delay.timeout_seconds`) when none is configured. */
export const DEFAULT_DEREGISTRATION_DELAY_S = 300;

/** Validity of a certificate a fixture or scenario does not date: ACM's 13 months (395 days). */
export const DEFAULT_CERTIFICATE_VALIDITY_MS = 395 * 24 * 60 * 60 * 1000;

/** What a failing health check reports (`Target.*` reasons of the `unhealthy` state). */
export type UnhealthyReason = 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks';

/** Target health descriptions, as the ELB API reference documents them per reason code. */
const REASON_TEXT: Record<string, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  // The simulated failing application answers its health check path with 404, the usual code
  // when the target group checks a path the container does not serve.
  'Target.ResponseCodeMismatch': 'Health checks failed with these codes: [404]',
  'Target.Timeout': 'Request timed out',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.NotRegistered': 'Target is not registered to the target group',
  'Target.NotInUse': 'Target group is not configured to receive traffic from the load balancer',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
};

const MAX_TAGS = 50;
/** Rules per listener besides the default one (Elastic Load Balancing quotas: "Rules per Application Load Balancer", 100). */
const MAX_RULES_PER_LISTENER = 100;
/** Condition values per rule (quota "Condition values per rule", 5). */
const MAX_CONDITION_VALUES = 5;
/** The content types a fixed-response action may answer with (ELB API reference, FixedResponseActionConfig). */
const FIXED_RESPONSE_CONTENT_TYPES = new Set(['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json']);
const NAME_RULE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

// ---------------------------------------------------------------------------------------- state

interface LbState {
  arn: string;
  id: string;
  name: string;
  type: LbType;
  scheme: 'internet-facing' | 'internal';
  dnsName: string;
  hostedZoneId: string;
  state: LoadBalancerStateEnum;
  vpcId: string;
  subnets: string[];
  securityGroups: string[];
  ipAddressType: string;
  createdAt: number;
  tags: Tag[];
}

interface HealthCheck {
  protocol: string;
  port: string;
  enabled: boolean;
  intervalS: number;
  timeoutS: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  path?: string;
  matcher?: string;
}

interface TargetState {
  id: string;
  port: number;
  availabilityZone?: string;
  /** Whether the application behind the target answers its health check. */
  healthy: boolean;
  state: TargetHealthStateEnum;
  reason?: TargetHealthReasonEnum;
  /** Bumped on every transition so that timers scheduled for an older one do nothing. */
  gen: number;
}

interface TgState {
  arn: string;
  name: string;
  protocol?: string;
  port?: number;
  vpcId: string;
  targetType: string;
  protocolVersion?: string;
  healthCheck: HealthCheck;
  deregistrationDelayS: number;
  targets: Map<string, TargetState>;
  /** Whether a listener or rule forwards to the group (health checks only run then). */
  inUse: boolean;
  /** Set by a scenario: every target fails its health check with this reason. */
  failing?: UnhealthyReason;
  createdAt: number;
  tags: Tag[];
}

interface ListenerState {
  arn: string;
  id: string;
  lbArn: string;
  port: number;
  protocol: string;
  certificates: Certificate[];
  sslPolicy?: string;
  defaultActions: Action[];
  defaultRuleArn: string;
  createdAt: number;
  tags: Tag[];
}

interface RuleState {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
  tags: Tag[];
}

// -------------------------------------------------------------------------------------- fixture

/** A target group as a fixture declares it. */
export interface TargetGroupFixture {
  name: string;
  /** Default 80. */
  port?: number;
  /** Default HTTP. */
  protocol?: string;
  /** Default `ip` (what Fargate tasks need). */
  targetType?: 'ip' | 'instance';
  /** Default `/`. */
  healthCheckPath?: string;
  /** Default `traffic-port`. */
  healthCheckPort?: string;
  /** HTTP codes a healthy target answers, default `200`. */
  matcher?: string;
  /** Seconds a deregistered target drains, default 300. */
  deregistrationDelay?: number;
  tags?: Record<string, string>;
}

/** Where a listener or rule sends requests: one target group by name, or names with weights. */
export type ForwardFixture = string | Record<string, number>;

/** A listener rule as a fixture declares it. */
export interface RuleFixture {
  priority: number;
  pathPattern?: string | string[];
  hostHeader?: string | string[];
  forward: ForwardFixture;
}

/** A listener as a fixture declares it. */
export interface ListenerFixture {
  port: number;
  /** Default HTTPS when a certificate is given, else HTTP (TCP for network load balancers). */
  protocol?: string;
  /** ACM certificate ARN (HTTPS/TLS). */
  certificate?: string;
  forward: ForwardFixture;
  rules?: RuleFixture[];
}

/** A load balancer as a fixture declares it. Seeded load balancers are already `active`. */
export interface LoadBalancerFixture {
  name: string;
  /** Default internet-facing. */
  scheme?: 'internet-facing' | 'internal';
  /** Default application. */
  type?: LbType;
  listeners?: ListenerFixture[];
  tags?: Record<string, string>;
}

/**
 * A listener certificate as ACM would describe it. The simulated account has no ACM API (steady
 * has no ACM client yet), so the ELBv2 simulator keeps what the wiring checks need to know.
 */
export interface CertificateFixture {
  arn: string;
  /** The certificate's main name, e.g. `api.example.com`. */
  domainName?: string;
  /** End of validity: an ISO date-time or epoch ms. Default: 395 days after the first listener used it. */
  notAfter?: string | number;
  /** Default ISSUED (EXPIRED once `notAfter` has passed). */
  status?: 'ISSUED' | 'PENDING_VALIDATION' | 'REVOKED' | 'FAILED' | 'INACTIVE';
}

/** A certificate's validity and name (ACM DescribeCertificate's NotAfter, DomainName, Status). */
export interface SimCertificate {
  arn: string;
  domainName?: string;
  notAfter: number;
  status: string;
}

/**
 * Starting state of the simulated Elastic Load Balancing v2 (see fixture.ts). Target groups are
 * declared first and referred to by name from listeners and rules.
 *
 * @example
 * // YAML
 * elbv2:
 *   targetGroups:
 *     - { name: shop-api-tg, port: 8000, healthCheckPath: /health }
 *   loadBalancers:
 *     - name: shop-api-alb
 *       listeners:
 *         - { port: 443, certificate: arn:aws:acm:ap-northeast-1:123456789012:certificate/abc, forward: shop-api-tg }
 */
export interface Elbv2Fixture {
  /** VPC of everything seeded; default: the account's generated VPC. */
  vpcId?: string;
  targetGroups?: TargetGroupFixture[];
  loadBalancers?: LoadBalancerFixture[];
  /** Validity of listener certificates; certificates not listed get 395 days from first use. */
  certificates?: CertificateFixture[];
}

// ----------------------------------------------------------------------------------- simulator

/** A target ECS registers for a task: its private IP and container port. */
export interface SimTarget {
  id: string;
  port: number;
  /** Whether the container passes the target group's health check. */
  healthy: boolean;
}

const toTags = (tags: Record<string, string> = {}): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const asList = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/**
 * The simulated Elastic Load Balancing v2: application and network load balancers, target
 * groups, listeners, rules, target health and tags, answering the SDK's commands. Load balancers
 * go `provisioning` -> `active`; targets go `initial` -> `healthy`/`unhealthy` after the
 * health-check interval x threshold and `draining` -> gone after the deregistration delay, all on
 * the account's simulated clock.
 */
export class Elbv2Sim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    CreateLoadBalancer: (i: CreateLoadBalancerInput) => this.#createLoadBalancer(i),
    DeleteLoadBalancer: (i: { LoadBalancerArn?: string }) => this.#deleteLoadBalancer(i.LoadBalancerArn),
    DescribeLoadBalancers: (i: DescribeLoadBalancersInput) => this.#describeLoadBalancers(i),
    CreateTargetGroup: (i: CreateTargetGroupInput) => this.#createTargetGroup(i),
    DeleteTargetGroup: (i: { TargetGroupArn?: string }) => this.#deleteTargetGroup(i.TargetGroupArn),
    DescribeTargetGroups: (i: DescribeTargetGroupsInput) => this.#describeTargetGroups(i),
    ModifyTargetGroup: (i: ModifyTargetGroupInput) => this.#modifyTargetGroup(i),
    CreateListener: (i: CreateListenerInput) => this.#createListener(i),
    ModifyListener: (i: ModifyListenerInput) => this.#modifyListener(i),
    DeleteListener: (i: { ListenerArn?: string }) => this.#deleteListener(i.ListenerArn),
    DescribeListeners: (i: DescribeListenersInput) => this.#describeListeners(i),
    CreateRule: (i: CreateRuleInput) => this.#createRule(i),
    DeleteRule: (i: { RuleArn?: string }) => this.#deleteRule(i.RuleArn),
    DescribeRules: (i: DescribeRulesInput) => this.#describeRules(i),
    RegisterTargets: (i: RegisterTargetsInput) => this.#registerTargetsOp(i),
    DeregisterTargets: (i: DeregisterTargetsInput) => this.#deregisterTargetsOp(i),
    DescribeTargetHealth: (i: DescribeTargetHealthInput) => this.#describeTargetHealth(i),
    AddTags: (i: AddTagsInput) => this.#addTags(i),
    RemoveTags: (i: RemoveTagsInput) => this.#removeTags(i),
    DescribeTags: (i: DescribeTagsInput) => this.#describeTags(i),
  };

  #lbs = new Map<string, LbState>();
  #tgs = new Map<string, TgState>();
  #listeners = new Map<string, ListenerState>();
  #rules = new Map<string, RuleState>();
  #certificates = new Map<string, SimCertificate>();
  /**
   * Target group ARN -> load balancers forwarding to it, in listener order. Built on first use
   * and dropped whenever a listener or rule changes: without it, every target group described
   * scanned every rule of every listener, which made DescribeTargetGroups O(listeners x rules)
   * per group and dominated the benchmark's wall time at 1000 services.
   */
  #usage: Map<string, string[]> | undefined;
  #vpcId?: string;
  #seeding = false;

  constructor(readonly account: SimAccount) {}

  /** Creation time of a new resource (seeded ones already existed, see SEEDED_AGE_MS). */
  #now(): number {
    return this.account.clock.now() - (this.#seeding ? SEEDED_AGE_MS : 0);
  }

  /** The VPC load balancers and target groups are placed in when none is given. */
  get vpcId(): string {
    this.#vpcId ??= `vpc-0${this.account.hex(16)}`;
    return this.#vpcId;
  }

  seed(fixture: Elbv2Fixture): void {
    this.#seeding = true;
    try {
      this.#seedFrom(fixture);
    } finally {
      this.#seeding = false;
    }
  }

  #seedFrom(fixture: Elbv2Fixture): void {
    if (fixture.vpcId) this.#vpcId = fixture.vpcId;
    for (const c of fixture.certificates ?? []) this.setCertificate(c.arn, c);
    for (const f of fixture.targetGroups ?? []) {
      const tg = this.#newTargetGroup({
        Name: f.name,
        Port: f.port ?? 80,
        Protocol: (f.protocol ?? 'HTTP') as CreateTargetGroupInput['Protocol'],
        TargetType: f.targetType ?? 'ip',
        HealthCheckPath: f.healthCheckPath,
        HealthCheckPort: f.healthCheckPort,
        Matcher: f.matcher ? { HttpCode: f.matcher } : undefined,
        Tags: toTags(f.tags),
      });
      tg.deregistrationDelayS = f.deregistrationDelay ?? DEFAULT_DEREGISTRATION_DELAY_S;
    }
    for (const f of fixture.loadBalancers ?? []) {
      const type = f.type ?? 'application';
      const lb = this.#newLoadBalancer({ name: f.name, type, scheme: f.scheme ?? 'internet-facing', subnets: [], securityGroups: [], tags: toTags(f.tags) }, 'active');
      for (const l of f.listeners ?? []) {
        const where = `elbv2 fixture: load balancer ${f.name} listener ${l.port}`;
        const protocol = l.protocol ?? (l.certificate ? (type === 'network' ? 'TLS' : 'HTTPS') : type === 'network' ? 'TCP' : 'HTTP');
        const listener = this.#newListener(lb, {
          port: l.port,
          protocol,
          certificates: l.certificate ? [{ CertificateArn: l.certificate }] : [],
          actions: this.#normaliseActions([this.#fixtureForward(l.forward, where)], lb),
        });
        for (const r of l.rules ?? []) {
          const conditions: RuleCondition[] = [];
          const paths = asList(r.pathPattern);
          const hosts = asList(r.hostHeader);
          if (paths) conditions.push(normaliseCondition({ Field: 'path-pattern', Values: paths }));
          if (hosts) conditions.push(normaliseCondition({ Field: 'host-header', Values: hosts }));
          this.#newRule(listener, r.priority, conditions, this.#normaliseActions([this.#fixtureForward(r.forward, `${where} rule ${r.priority}`)], lb));
        }
      }
    }
    this.#refreshUsage();
  }

  // ------------------------------------------------------ internal API for the other simulators

  /** A target group by ARN, or undefined. */
  targetGroupInfo(arn: string): { arn: string; name: string; port?: number; targetType: string; loadBalancerArns: string[] } | undefined {
    const tg = this.#tgs.get(arn);
    return tg && { arn: tg.arn, name: tg.name, port: tg.port, targetType: tg.targetType, loadBalancerArns: this.#loadBalancerArnsOf(tg.arn) };
  }

  /**
   * Registers targets; they go `initial` -> `healthy` (or `unhealthy`) on the simulated clock.
   * With `settled` (a fixture's service, already in steady state) their health checks have
   * already run: they start `healthy` or `unhealthy`.
   */
  registerTargets(targetGroupArn: string, targets: SimTarget[], options: { settled?: boolean } = {}): void {
    const tg = this.#tg(targetGroupArn);
    for (const t of targets) {
      this.#register(tg, t.id, t.port, t.healthy);
      const target = tg.targets.get(`${t.id}:${t.port}`)!;
      if (options.settled && tg.inUse && target.state === 'initial') this.#settle(tg, target);
    }
  }

  /** Deregisters targets; they go `draining` and then disappear. Unknown targets are ignored. */
  deregisterTargets(targetGroupArn: string, targets: { id: string; port: number }[]): void {
    const tg = this.#tg(targetGroupArn);
    for (const t of targets) this.#deregister(tg, t.id, t.port);
  }

  /** The health state of one registered target (undefined when it is not registered). */
  targetState(targetGroupArn: string, id: string, port: number): TargetHealthStateEnum | undefined {
    return this.#tgs.get(targetGroupArn)?.targets.get(`${id}:${port}`)?.state;
  }

  /**
   * Where a listener's default action forwards (target-group ARNs with weights), for the simulated
   * CodeDeploy; undefined when there is no such listener.
   */
  listenerForwards(arn: string): { arn: string; loadBalancerArn: string; port: number; targetGroups: { arn: string; weight: number }[] } | undefined {
    const l = this.#listeners.get(arn);
    if (!l) return undefined;
    const forward = l.defaultActions.find((a) => a.Type === 'forward');
    const targetGroups = (forward?.ForwardConfig?.TargetGroups ?? []).map((g) => ({ arn: g.TargetGroupArn!, weight: g.Weight ?? 1 }));
    return { arn: l.arn, loadBalancerArn: l.lbArn, port: l.port, targetGroups };
  }

  /** A target group's ARN by name, or undefined. */
  targetGroupArnOf(name: string): string | undefined {
    return this.#tgByNameOrUndefined(name)?.arn;
  }

  /** The ARN of the listener on `port` of the load balancer named `name` (fixtures name listeners so). */
  listenerArnOf(name: string, port: number): string | undefined {
    const lb = this.#lbByName(name);
    return lb && this.#listenersOf(lb.arn).find((l) => l.port === port)?.arn;
  }

  /**
   * Points a listener's default action at target groups with weights, through ModifyListener's own
   * checks (what CodeDeploy does when it shifts traffic). A single group is a plain forward.
   */
  shiftListener(arn: string, weights: { arn: string; weight: number }[]): void {
    const used = weights.filter((w) => w.weight > 0);
    const action: Action =
      used.length === 1
        ? { Type: 'forward', TargetGroupArn: used[0].arn }
        : { Type: 'forward', ForwardConfig: { TargetGroups: weights.map((w) => ({ TargetGroupArn: w.arn, Weight: w.weight })) } };
    this.#modifyListener({ ListenerArn: arn, DefaultActions: [action] });
  }

  /**
   * The load balancer an alias DNS name points at, compared as Route 53 does (case-insensitive,
   * `dualstack.` prefix and trailing dot optional). Stale reads do not hide it: Route 53 checks
   * alias targets against ELB's own records.
   */
  findByDnsName(dnsName: string): { dnsName: string; hostedZoneId: string } | undefined {
    const norm = (s: string) => s.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');
    const lb = [...this.#lbs.values()].find((l) => norm(l.dnsName) === norm(dnsName));
    return lb && { dnsName: lb.dnsName, hostedZoneId: lb.hostedZoneId };
  }

  /** A load balancer's DNS name and canonical zone by name (fixtures refer to them by name). */
  findByName(name: string): { arn: string; dnsName: string; hostedZoneId: string } | undefined {
    const lb = this.#lbByName(name);
    return lb && { arn: lb.arn, dnsName: lb.dnsName, hostedZoneId: lb.hostedZoneId };
  }

  /**
   * The DNS domain an ELB canonical hosted zone id stands for (e.g. `Z14GRHDCWA56QT` ->
   * `ap-northeast-1.elb.amazonaws.com`), or undefined if it is not an ELB zone.
   */
  hostedZoneDomain(hostedZoneId: string): string | undefined {
    const regions = new Set([...Object.keys(ELB_HOSTED_ZONE_IDS), this.account.region]);
    for (const region of regions) {
      for (const type of ['application', 'network'] as const) {
        if (elbHostedZoneId(region, type) === hostedZoneId) return elbDomain(region, type);
      }
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------ scenarios

  /**
   * The "ALB was recreated" incident: deletes the load balancer named `name` and creates it again
   * with the same name, type, scheme, listeners and rules. The new one has a new ARN and a new DNS
   * name (so every Route 53 alias to the old name is now stale) and starts `provisioning`.
   *
   * @returns the new load balancer, as DescribeLoadBalancers shows it.
   */
  recreateLoadBalancer(name: string): LoadBalancer {
    const old = this.#lbByName(name);
    if (!old) throw new Error(`no load balancer named ${name} to recreate`);
    const listeners = this.#listenersOf(old.arn).map((l) => ({ l, rules: this.#rulesOf(l.arn) }));
    this.#deleteLoadBalancer(old.arn);
    const lb = this.#newLoadBalancer({ ...old }, 'provisioning');
    for (const { l, rules } of listeners) {
      const listener = this.#newListener(lb, { ...l, actions: structuredClone(l.defaultActions), tags: l.tags });
      for (const r of rules) this.#newRule(listener, r.priority, r.conditions, r.actions, r.tags);
    }
    this.#refreshUsage();
    return this.#lbOut(lb);
  }

  /**
   * Makes every target of the target group named `name` fail its health check with `reason`
   * (e.g. the group checks a path the application does not serve). Healthy targets turn
   * `unhealthy` after interval x unhealthy threshold, as on AWS.
   */
  failHealthChecks(name: string, reason: UnhealthyReason = 'Target.ResponseCodeMismatch'): void {
    const tg = this.#tgByName(name);
    tg.failing = reason;
    for (const t of tg.targets.values()) this.#recheck(tg, t);
  }

  /** Undoes failHealthChecks: targets whose application is healthy recover after the healthy threshold. */
  passHealthChecks(name: string): void {
    const tg = this.#tgByName(name);
    tg.failing = undefined;
    for (const t of tg.targets.values()) this.#recheck(tg, t);
  }

  /** Sets a load balancer's state directly (e.g. `active_impaired`, `failed`). */
  setLoadBalancerState(name: string, state: LoadBalancerStateEnum): void {
    const lb = this.#lbByName(name);
    if (!lb) throw new Error(`no load balancer named ${name}`);
    lb.state = state;
  }

  /**
   * Sets what is known of a listener certificate (its expiry, say, to make it about to expire).
   * Fields not given keep their value, or their default for a certificate not seen before.
   */
  setCertificate(arn: string, change: { notAfter?: Date | string | number; domainName?: string; status?: string }): void {
    const current = this.#certificates.get(arn) ?? { arn, notAfter: this.#now() + DEFAULT_CERTIFICATE_VALIDITY_MS, status: 'ISSUED' };
    const notAfter = change.notAfter === undefined ? current.notAfter : change.notAfter instanceof Date ? change.notAfter.getTime() : typeof change.notAfter === 'number' ? change.notAfter : Date.parse(change.notAfter);
    if (Number.isNaN(notAfter)) throw new Error(`certificate ${arn}: notAfter ${String(change.notAfter)} is not a date`);
    this.#certificates.set(arn, {
      arn,
      ...((change.domainName ?? current.domainName) !== undefined ? { domainName: change.domainName ?? current.domainName } : {}),
      notAfter,
      status: change.status ?? current.status,
    });
  }

  /**
   * A certificate's validity as ACM DescribeCertificate would show it (`status` EXPIRED once
   * `notAfter` has passed), or undefined for an ARN no listener or fixture ever used (ACM's
   * ResourceNotFoundException). Not an SDK operation: the account has no ACM API.
   */
  certificate(arn: string): SimCertificate | undefined {
    const c = this.#certificates.get(arn);
    if (!c) return undefined;
    return { ...c, status: c.status === 'ISSUED' && c.notAfter <= this.account.clock.now() ? 'EXPIRED' : c.status };
  }

  // ---------------------------------------------------------------------------- load balancers

  #createLoadBalancer(input: CreateLoadBalancerInput): { LoadBalancers: LoadBalancer[] } {
    const name = input.Name ?? '';
    checkName(name, 'load balancer');
    if (name.toLowerCase().startsWith('internal-')) throw validation(`The load balancer name '${name}' cannot begin with 'internal-'`);
    const type = input.Type ?? 'application';
    if (type !== 'application' && type !== 'network') throw validation(`The simulated account does not support load balancers of type '${type}'`);
    const scheme = input.Scheme ?? 'internet-facing';
    const subnets = [...(input.Subnets ?? input.SubnetMappings?.map((m) => m.SubnetId ?? '') ?? [])].sort();
    const securityGroups = [...(input.SecurityGroups ?? [])].sort();
    const existing = this.#lbByName(name);
    if (existing) {
      // CreateLoadBalancer is idempotent: the same settings return the existing load balancer.
      const same = existing.type === type && existing.scheme === scheme && (subnets.length === 0 || String(subnets) === String(existing.subnets));
      if (same) return { LoadBalancers: [this.#lbOut(existing)] };
      throw awsError(DuplicateLoadBalancerNameException, `A load balancer with the same name '${name}' exists, but with different settings`);
    }
    checkTags(input.Tags ?? []);
    const lb = this.#newLoadBalancer({ name, type, scheme, subnets, securityGroups, ipAddressType: input.IpAddressType, tags: input.Tags ?? [] }, 'provisioning');
    return { LoadBalancers: [this.#lbOut(lb)] };
  }

  #newLoadBalancer(
    spec: Pick<LbState, 'name' | 'type' | 'scheme' | 'subnets' | 'securityGroups' | 'tags'> & { ipAddressType?: string },
    state: 'provisioning' | 'active',
  ): LbState {
    const { region, accountId } = this.account;
    const id = this.account.hex(16);
    const prefix = spec.scheme === 'internal' ? 'internal-' : '';
    // New random digits on every create: a recreated load balancer gets a new DNS name.
    const unique = spec.type === 'application' ? this.account.digits(10) : this.account.hex(16);
    const subnets = spec.subnets.length > 0 ? spec.subnets : [`subnet-0${this.account.hex(16)}`, `subnet-0${this.account.hex(16)}`];
    const lb: LbState = {
      arn: `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/${spec.type === 'application' ? 'app' : 'net'}/${spec.name}/${id}`,
      id,
      name: spec.name,
      type: spec.type,
      scheme: spec.scheme,
      dnsName: `${prefix}${spec.name}-${unique}.${elbDomain(region, spec.type)}`,
      hostedZoneId: elbHostedZoneId(region, spec.type),
      state,
      vpcId: this.vpcId,
      subnets,
      securityGroups: spec.securityGroups,
      ipAddressType: spec.ipAddressType ?? 'ipv4',
      createdAt: this.#now(),
      tags: [...spec.tags],
    };
    this.#lbs.set(lb.arn, lb);
    if (state === 'provisioning') {
      this.account.clock.schedule(PROVISIONING_MS, () => {
        if (this.#lbs.get(lb.arn) === lb && lb.state === 'provisioning') lb.state = 'active';
      });
    }
    return lb;
  }

  #deleteLoadBalancer(arn: string | undefined): Record<string, never> {
    checkArn(arn, 'loadbalancer', 'load balancer');
    // Deleting a load balancer that does not exist succeeds (the API is idempotent).
    if (!this.#lbs.has(arn!)) return {};
    for (const l of this.#listenersOf(arn!)) this.#dropListener(l);
    this.#lbs.delete(arn!);
    this.#refreshUsage();
    return {};
  }

  #describeLoadBalancers(input: DescribeLoadBalancersInput) {
    if (input.LoadBalancerArns && input.Names) throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
    checkMax('loadBalancerArns', input.LoadBalancerArns, 20);
    checkMax('names', input.Names, 20);
    const size = pageSize(input.PageSize);
    let list: LbState[];
    if (input.LoadBalancerArns) list = input.LoadBalancerArns.map((a) => this.#visibleLb(a));
    else if (input.Names) list = input.Names.map((n) => this.#lbByName(n, true) ?? lbNotFound());
    else list = [...this.#lbs.values()].filter((lb) => this.#visible(lb));
    const { items, next } = page(new Set(list), { size, token: input.Marker }, invalidMarker);
    return { LoadBalancers: items.map((lb) => this.#lbOut(lb)), NextMarker: next };
  }

  #lbOut(lb: LbState): LoadBalancer {
    return {
      LoadBalancerArn: lb.arn,
      DNSName: lb.dnsName,
      CanonicalHostedZoneId: lb.hostedZoneId,
      CreatedTime: new Date(lb.createdAt),
      LoadBalancerName: lb.name,
      Scheme: lb.scheme,
      VpcId: lb.vpcId,
      State: { Code: lb.state },
      Type: lb.type,
      AvailabilityZones: lb.subnets.map((s, i) => ({ ZoneName: `${this.account.region}${'abcdef'[i % 6]}`, SubnetId: s, LoadBalancerAddresses: [] })),
      ...(lb.type === 'application' ? { SecurityGroups: [...lb.securityGroups] } : {}),
      IpAddressType: lb.ipAddressType as LoadBalancer['IpAddressType'],
    };
  }

  #lbByName(name: string, visibleOnly = false): LbState | undefined {
    for (const lb of this.#lbs.values()) if (lb.name === name && (!visibleOnly || this.#visible(lb))) return lb;
    return undefined;
  }

  #visibleLb(arn: string): LbState {
    const lb = this.#lbs.get(arn);
    if (!lb || !this.#visible(lb)) throw lbNotFound();
    return lb;
  }

  #visible(r: { createdAt: number }): boolean {
    return this.account.visible('elbv2', r.createdAt);
  }

  // ----------------------------------------------------------------------------- target groups

  #createTargetGroup(input: CreateTargetGroupInput): { TargetGroups: TargetGroup[] } {
    const name = input.Name ?? '';
    checkName(name, 'target group');
    const existing = this.#tgByNameOrUndefined(name);
    if (existing) {
      const same = existing.protocol === input.Protocol && existing.port === input.Port && existing.targetType === (input.TargetType ?? 'instance');
      if (same) return { TargetGroups: [this.#tgOut(existing)] };
      throw awsError(DuplicateTargetGroupNameException, `A target group with the same name '${name}' exists, but with different settings`);
    }
    checkTags(input.Tags ?? []);
    return { TargetGroups: [this.#tgOut(this.#newTargetGroup(input))] };
  }

  #newTargetGroup(input: CreateTargetGroupInput): TgState {
    const id = this.account.hex(16);
    const protocol = input.Protocol;
    const tg: TgState = {
      arn: `arn:aws:elasticloadbalancing:${this.account.region}:${this.account.accountId}:targetgroup/${input.Name}/${id}`,
      name: input.Name!,
      protocol,
      port: input.Port,
      vpcId: input.VpcId ?? this.vpcId,
      targetType: input.TargetType ?? 'instance',
      protocolVersion: protocol === 'HTTP' || protocol === 'HTTPS' ? (input.ProtocolVersion ?? 'HTTP1') : undefined,
      healthCheck: {
        protocol: input.HealthCheckProtocol ?? (protocol === 'HTTPS' ? 'HTTPS' : protocol === 'HTTP' ? 'HTTP' : 'TCP'),
        port: input.HealthCheckPort ?? 'traffic-port',
        enabled: input.HealthCheckEnabled ?? true,
        intervalS: input.HealthCheckIntervalSeconds ?? 30,
        timeoutS: input.HealthCheckTimeoutSeconds ?? 5,
        healthyThreshold: input.HealthyThresholdCount ?? 5,
        unhealthyThreshold: input.UnhealthyThresholdCount ?? 2,
        ...(protocol === 'HTTP' || protocol === 'HTTPS' ? { path: input.HealthCheckPath ?? '/', matcher: input.Matcher?.HttpCode ?? '200' } : {}),
      },
      deregistrationDelayS: DEFAULT_DEREGISTRATION_DELAY_S,
      targets: new Map(),
      inUse: false,
      createdAt: this.#now(),
      tags: [...(input.Tags ?? [])],
    };
    this.#tgs.set(tg.arn, tg);
    return tg;
  }

  #deleteTargetGroup(arn: string | undefined): Record<string, never> {
    checkArn(arn, 'targetgroup', 'target group');
    const tg = this.#tgs.get(arn!);
    if (!tg) return {};
    if (this.#loadBalancerArnsOf(tg.arn).length > 0) {
      throw awsError(ResourceInUseException, `Target group '${tg.arn}' is currently in use by a listener or a rule`);
    }
    this.#tgs.delete(tg.arn);
    return {};
  }

  #describeTargetGroups(input: DescribeTargetGroupsInput) {
    const given = [input.LoadBalancerArn, input.TargetGroupArns, input.Names].filter((x) => x !== undefined).length;
    if (given > 1) throw validation('Only one of load balancer ARN, target group ARNs or target group names can be specified');
    const size = pageSize(input.PageSize);
    let list: TgState[];
    if (input.LoadBalancerArn) {
      const lb = this.#visibleLb(input.LoadBalancerArn);
      list = [...this.#tgs.values()].filter((tg) => this.#loadBalancerArnsOf(tg.arn).includes(lb.arn));
    } else if (input.TargetGroupArns) {
      list = input.TargetGroupArns.map((a) => {
        const tg = this.#tgs.get(a);
        return tg && this.#visible(tg) ? tg : tgNotFound();
      });
    } else if (input.Names) {
      list = input.Names.map((n) => {
        const tg = this.#tgByNameOrUndefined(n);
        return tg && this.#visible(tg) ? tg : tgNotFound();
      });
    } else {
      list = [...this.#tgs.values()].filter((tg) => this.#visible(tg));
    }
    const { items, next } = page(new Set(list), { size, token: input.Marker }, invalidMarker);
    return { TargetGroups: items.map((tg) => this.#tgOut(tg)), NextMarker: next };
  }

  #modifyTargetGroup(input: ModifyTargetGroupInput): { TargetGroups: TargetGroup[] } {
    const tg = this.#tg(input.TargetGroupArn);
    const hc = tg.healthCheck;
    if (input.HealthCheckProtocol !== undefined) hc.protocol = input.HealthCheckProtocol;
    if (input.HealthCheckPort !== undefined) hc.port = input.HealthCheckPort;
    if (input.HealthCheckPath !== undefined) hc.path = input.HealthCheckPath;
    if (input.HealthCheckEnabled !== undefined) hc.enabled = input.HealthCheckEnabled;
    if (input.HealthCheckIntervalSeconds !== undefined) hc.intervalS = input.HealthCheckIntervalSeconds;
    if (input.HealthCheckTimeoutSeconds !== undefined) hc.timeoutS = input.HealthCheckTimeoutSeconds;
    if (input.HealthyThresholdCount !== undefined) hc.healthyThreshold = input.HealthyThresholdCount;
    if (input.UnhealthyThresholdCount !== undefined) hc.unhealthyThreshold = input.UnhealthyThresholdCount;
    if (input.Matcher?.HttpCode !== undefined) hc.matcher = input.Matcher.HttpCode;
    return { TargetGroups: [this.#tgOut(tg)] };
  }

  #tgOut(tg: TgState): TargetGroup {
    const hc = tg.healthCheck;
    return {
      TargetGroupArn: tg.arn,
      TargetGroupName: tg.name,
      Protocol: tg.protocol as TargetGroup['Protocol'],
      Port: tg.port,
      VpcId: tg.vpcId,
      HealthCheckProtocol: hc.protocol as TargetGroup['HealthCheckProtocol'],
      HealthCheckPort: hc.port,
      HealthCheckEnabled: hc.enabled,
      HealthCheckIntervalSeconds: hc.intervalS,
      HealthCheckTimeoutSeconds: hc.timeoutS,
      HealthyThresholdCount: hc.healthyThreshold,
      UnhealthyThresholdCount: hc.unhealthyThreshold,
      ...(hc.path !== undefined ? { HealthCheckPath: hc.path } : {}),
      ...(hc.matcher !== undefined ? { Matcher: { HttpCode: hc.matcher } } : {}),
      LoadBalancerArns: this.#loadBalancerArnsOf(tg.arn),
      TargetType: tg.targetType as TargetGroup['TargetType'],
      ...(tg.protocolVersion ? { ProtocolVersion: tg.protocolVersion } : {}),
      IpAddressType: 'ipv4',
    };
  }

  #tg(arn: string | undefined): TgState {
    checkArn(arn, 'targetgroup', 'target group');
    return this.#tgs.get(arn!) ?? tgNotFound();
  }

  #tgByNameOrUndefined(name: string): TgState | undefined {
    for (const tg of this.#tgs.values()) if (tg.name === name) return tg;
    return undefined;
  }

  #tgByName(name: string): TgState {
    const tg = this.#tgByNameOrUndefined(name);
    if (!tg) throw new Error(`no target group named ${name}`);
    return tg;
  }

  /** Load balancers whose listeners or rules forward to the target group, in listener order. */
  #loadBalancerArnsOf(tgArn: string): string[] {
    this.#usage ??= this.#indexUsage();
    return [...(this.#usage.get(tgArn) ?? [])];
  }

  #indexUsage(): Map<string, string[]> {
    const rulesByListener = new Map<string, RuleState[]>();
    for (const r of this.#rules.values()) rulesByListener.set(r.listenerArn, [...(rulesByListener.get(r.listenerArn) ?? []), r]);
    const usage = new Map<string, Set<string>>();
    for (const l of this.#listeners.values()) {
      const actions = [...l.defaultActions, ...(rulesByListener.get(l.arn) ?? []).flatMap((r) => r.actions)];
      for (const tgArn of actions.flatMap(forwardTargets)) {
        const lbs = usage.get(tgArn) ?? new Set<string>();
        lbs.add(l.lbArn);
        usage.set(tgArn, lbs);
      }
    }
    return new Map([...usage].map(([tgArn, lbs]) => [tgArn, [...lbs]]));
  }

  // --------------------------------------------------------------------------------- listeners

  #createListener(input: CreateListenerInput): { Listeners: Listener[] } {
    checkArn(input.LoadBalancerArn, 'loadbalancer', 'load balancer');
    const lb = this.#lbs.get(input.LoadBalancerArn!) ?? lbNotFound();
    const protocol = input.Protocol ?? '';
    const port = input.Port ?? 0;
    this.#checkListener(lb, protocol, port, input.Certificates);
    const actions = this.#normaliseActions(input.DefaultActions ?? [], lb);
    const same = this.#listenersOf(lb.arn).find((l) => l.port === port);
    if (same) {
      // CreateListener is idempotent: the same settings return the existing listener.
      if (same.protocol === protocol && JSON.stringify(same.defaultActions) === JSON.stringify(actions)) return { Listeners: [this.#listenerOut(same)] };
      throw awsError(DuplicateListenerException, 'A listener already exists on this port for this load balancer');
    }
    checkTags(input.Tags ?? []);
    const listener = this.#newListener(lb, { port, protocol, certificates: input.Certificates ?? [], sslPolicy: input.SslPolicy, actions, tags: input.Tags });
    this.#refreshUsage();
    return { Listeners: [this.#listenerOut(listener)] };
  }

  #checkListener(lb: LbState, protocol: string, port: number, certificates: Certificate[] | undefined): void {
    const allowed = lb.type === 'application' ? ['HTTP', 'HTTPS'] : ['TCP', 'TLS', 'UDP', 'TCP_UDP'];
    if (!allowed.includes(protocol)) throw awsError(UnsupportedProtocolException, `Protocol '${protocol}' is not supported for load balancer type '${lb.type}'`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw validation(`Port '${port}' must be between 1 and 65535`);
    if ((protocol === 'HTTPS' || protocol === 'TLS') && !certificates?.length) throw validation(`A certificate must be specified for ${protocol} listeners`);
  }

  #newListener(
    lb: LbState,
    spec: { port: number; protocol: string; certificates: Certificate[]; sslPolicy?: string; actions: Action[]; tags?: Tag[] },
  ): ListenerState {
    const id = this.account.hex(16);
    const path = `${lb.type === 'application' ? 'app' : 'net'}/${lb.name}/${lb.id}/${id}`;
    const base = `arn:aws:elasticloadbalancing:${this.account.region}:${this.account.accountId}`;
    const secure = spec.protocol === 'HTTPS' || spec.protocol === 'TLS';
    const listener: ListenerState = {
      arn: `${base}:listener/${path}`,
      id,
      lbArn: lb.arn,
      port: spec.port,
      protocol: spec.protocol,
      // Only the default certificate is listed (as DescribeListeners does), without IsDefault.
      certificates: spec.certificates.slice(0, 1).map((c) => ({ CertificateArn: c.CertificateArn })),
      sslPolicy: secure ? (spec.sslPolicy ?? 'ELBSecurityPolicy-2016-08') : undefined,
      defaultActions: spec.actions,
      defaultRuleArn: `${base}:listener-rule/${path}/${this.account.hex(16)}`,
      createdAt: this.#now(),
      tags: [...(spec.tags ?? [])],
    };
    this.#listeners.set(listener.arn, listener);
    this.#knowCertificates(listener.certificates);
    this.#usage = undefined;
    return listener;
  }

  /** Certificates first seen on a listener get the default validity from now. */
  #knowCertificates(certificates: Certificate[]): void {
    for (const c of certificates) if (c.CertificateArn && !this.#certificates.has(c.CertificateArn)) this.setCertificate(c.CertificateArn, {});
  }

  #modifyListener(input: ModifyListenerInput): { Listeners: Listener[] } {
    const listener = this.#listener(input.ListenerArn);
    const lb = this.#lbs.get(listener.lbArn)!;
    const port = input.Port ?? listener.port;
    const protocol = input.Protocol ?? listener.protocol;
    const certificates = input.Certificates ?? listener.certificates;
    this.#checkListener(lb, protocol, port, certificates);
    if (port !== listener.port && this.#listenersOf(lb.arn).some((l) => l.port === port)) {
      throw awsError(DuplicateListenerException, 'A listener already exists on this port for this load balancer');
    }
    const actions = input.DefaultActions ? this.#normaliseActions(input.DefaultActions, lb) : listener.defaultActions;
    Object.assign(listener, {
      port,
      protocol,
      certificates: certificates.slice(0, 1).map((c) => ({ CertificateArn: c.CertificateArn })),
      sslPolicy: protocol === 'HTTPS' || protocol === 'TLS' ? (input.SslPolicy ?? listener.sslPolicy ?? 'ELBSecurityPolicy-2016-08') : undefined,
      defaultActions: actions,
    });
    this.#knowCertificates(listener.certificates);
    this.#usage = undefined;
    this.#refreshUsage();
    return { Listeners: [this.#listenerOut(listener)] };
  }

  #deleteListener(arn: string | undefined): Record<string, never> {
    this.#dropListener(this.#listener(arn));
    this.#refreshUsage();
    return {};
  }

  #dropListener(listener: ListenerState): void {
    for (const r of this.#rulesOf(listener.arn)) this.#rules.delete(r.arn);
    this.#listeners.delete(listener.arn);
    this.#usage = undefined;
  }

  #describeListeners(input: DescribeListenersInput) {
    if (!input.LoadBalancerArn && !input.ListenerArns) throw validation('A load balancer ARN or listener ARNs must be specified');
    const size = pageSize(input.PageSize);
    const list = input.ListenerArns
      ? input.ListenerArns.map((a) => this.#listeners.get(a) ?? listenerNotFound())
      : this.#listenersOf(this.#visibleLb(input.LoadBalancerArn!).arn);
    const { items, next } = page(list, { size, token: input.Marker }, invalidMarker);
    return { Listeners: items.map((l) => this.#listenerOut(l)), NextMarker: next };
  }

  #listenerOut(l: ListenerState): Listener {
    return {
      ListenerArn: l.arn,
      LoadBalancerArn: l.lbArn,
      Port: l.port,
      Protocol: l.protocol as Listener['Protocol'],
      ...(l.certificates.length > 0 ? { Certificates: structuredClone(l.certificates) } : {}),
      ...(l.sslPolicy ? { SslPolicy: l.sslPolicy } : {}),
      DefaultActions: structuredClone(l.defaultActions),
    };
  }

  #listener(arn: string | undefined): ListenerState {
    checkArn(arn, 'listener', 'listener');
    return this.#listeners.get(arn!) ?? listenerNotFound();
  }

  #listenersOf(lbArn: string): ListenerState[] {
    return [...this.#listeners.values()].filter((l) => l.lbArn === lbArn);
  }

  /**
   * Validates actions and returns them as ELB describes them: a forward action carries both
   * `TargetGroupArn` (when it forwards to one group) and `ForwardConfig` with weights.
   */
  #normaliseActions(actions: Action[], lb: LbState): Action[] {
    if (actions.length === 0) throw validation('At least one action must be specified');
    return actions.map((a) => {
      if (a.Type !== 'forward') return structuredClone(a);
      const groups = a.ForwardConfig?.TargetGroups?.map((g) => ({ TargetGroupArn: g.TargetGroupArn!, Weight: g.Weight ?? 1 })) ??
        (a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }] : []);
      if (groups.length === 0) throw validation('A target group ARN must be specified for a forward action');
      if (a.TargetGroupArn && a.ForwardConfig && !groups.some((g) => g.TargetGroupArn === a.TargetGroupArn)) {
        throw validation('You cannot specify a target group ARN and a forward config with different target groups');
      }
      for (const g of groups) {
        this.#tg(g.TargetGroupArn);
        const other = this.#loadBalancerArnsOf(g.TargetGroupArn).find((arn) => arn !== lb.arn);
        if (other) {
          throw awsError(
            TargetGroupAssociationLimitException,
            `The following target groups cannot be associated with more than one load balancer: ${g.TargetGroupArn}`,
          );
        }
      }
      return {
        Type: 'forward',
        ...(groups.length === 1 ? { TargetGroupArn: groups[0].TargetGroupArn } : {}),
        ...(a.Order !== undefined ? { Order: a.Order } : {}),
        ForwardConfig: {
          TargetGroups: groups,
          TargetGroupStickinessConfig: a.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false },
        },
      };
    });
  }

  #fixtureForward(forward: ForwardFixture, where: string): Action {
    const weights = typeof forward === 'string' ? { [forward]: 1 } : forward;
    const TargetGroups = Object.entries(weights).map(([name, Weight]) => {
      const tg = this.#tgByNameOrUndefined(name);
      if (!tg) throw new Error(`${where} forwards to unknown target group ${name}`);
      return { TargetGroupArn: tg.arn, Weight };
    });
    return { Type: 'forward', ForwardConfig: { TargetGroups } };
  }

  // ------------------------------------------------------------------------------------- rules

  #createRule(input: CreateRuleInput): { Rules: Rule[] } {
    const listener = this.#listener(input.ListenerArn);
    const priority = input.Priority ?? 0;
    if (!Number.isInteger(priority) || priority < 1 || priority > 50000) throw validation(`Priority '${priority}' must be between 1 and 50000`);
    if (!input.Conditions?.length) throw validation('At least one condition must be specified');
    const conditions = input.Conditions.map(normaliseCondition);
    const values = conditions.reduce((n, c) => n + (c.Values?.length ?? 0), 0);
    if (values > MAX_CONDITION_VALUES) throw awsError(TooManyRulesException, `A rule can only have '${MAX_CONDITION_VALUES}' condition values`);
    if (this.#rulesOf(listener.arn).some((r) => r.priority === priority)) {
      throw awsError(PriorityInUseException, `Priority '${priority}' is currently in use`);
    }
    if (this.#rulesOf(listener.arn).length >= MAX_RULES_PER_LISTENER) throw awsError(TooManyRulesException, `The listener already has the maximum of ${MAX_RULES_PER_LISTENER} rules`);
    checkTags(input.Tags ?? []);
    for (const a of input.Actions ?? []) if (a.Type === 'fixed-response') checkFixedResponse(a);
    const actions = this.#normaliseActions(input.Actions ?? [], this.#lbs.get(listener.lbArn)!);
    const rule = this.#newRule(listener, priority, conditions, actions, input.Tags);
    this.#refreshUsage();
    return { Rules: [this.#ruleOut(rule)] };
  }

  #newRule(listener: ListenerState, priority: number, conditions: RuleCondition[], actions: Action[], tags: Tag[] = []): RuleState {
    const lb = this.#lbs.get(listener.lbArn)!;
    const rule: RuleState = {
      arn: `arn:aws:elasticloadbalancing:${this.account.region}:${this.account.accountId}:listener-rule/${lb.type === 'application' ? 'app' : 'net'}/${lb.name}/${lb.id}/${listener.id}/${this.account.hex(16)}`,
      listenerArn: listener.arn,
      priority,
      conditions,
      actions,
      tags: [...tags],
    };
    this.#rules.set(rule.arn, rule);
    this.#usage = undefined;
    return rule;
  }

  #deleteRule(arn: string | undefined): Record<string, never> {
    checkArn(arn, 'listener-rule', 'rule');
    if ([...this.#listeners.values()].some((l) => l.defaultRuleArn === arn)) throw awsError(OperationNotPermittedException, 'Default rule cannot be deleted');
    if (!this.#rules.delete(arn!)) throw ruleNotFound();
    this.#usage = undefined;
    this.#refreshUsage();
    return {};
  }

  #describeRules(input: DescribeRulesInput) {
    if (!input.ListenerArn && !input.RuleArns) throw validation('A listener ARN or rule ARNs must be specified');
    const size = pageSize(input.PageSize);
    let list: Rule[];
    if (input.RuleArns) {
      list = input.RuleArns.map((arn) => {
        const rule = this.#rules.get(arn);
        if (rule) return this.#ruleOut(rule);
        const owner = [...this.#listeners.values()].find((l) => l.defaultRuleArn === arn);
        return owner ? this.#defaultRuleOut(owner) : ruleNotFound();
      });
    } else {
      const listener = this.#listener(input.ListenerArn);
      list = [...this.#rulesOf(listener.arn).map((r) => this.#ruleOut(r)), this.#defaultRuleOut(listener)];
    }
    const { items, next } = page(list, { size, token: input.Marker }, invalidMarker);
    return { Rules: items, NextMarker: next };
  }

  /** A listener's rules by priority (the default rule is not stored as one). */
  #rulesOf(listenerArn: string): RuleState[] {
    return [...this.#rules.values()].filter((r) => r.listenerArn === listenerArn).sort((a, b) => a.priority - b.priority);
  }

  #ruleOut(r: RuleState): Rule {
    return { RuleArn: r.arn, Priority: String(r.priority), Conditions: structuredClone(r.conditions), Actions: structuredClone(r.actions), IsDefault: false };
  }

  #defaultRuleOut(l: ListenerState): Rule {
    return { RuleArn: l.defaultRuleArn, Priority: 'default', Conditions: [], Actions: structuredClone(l.defaultActions), IsDefault: true };
  }

  // ------------------------------------------------------------------------------- target health

  #registerTargetsOp(input: RegisterTargetsInput): Record<string, never> {
    const tg = this.#tg(input.TargetGroupArn);
    if (!input.Targets?.length) throw validation('At least one target must be specified');
    // Targets registered through the API run an application that passes its health check;
    // failHealthChecks() makes a whole group fail.
    for (const t of input.Targets) this.#register(tg, t.Id!, t.Port ?? tg.port ?? 0, true, t.AvailabilityZone);
    return {};
  }

  #deregisterTargetsOp(input: DeregisterTargetsInput): Record<string, never> {
    const tg = this.#tg(input.TargetGroupArn);
    if (!input.Targets?.length) throw validation('At least one target must be specified');
    for (const t of input.Targets) this.#deregister(tg, t.Id!, t.Port ?? tg.port ?? 0);
    return {};
  }

  #describeTargetHealth(input: DescribeTargetHealthInput): { TargetHealthDescriptions: TargetHealthDescription[] } {
    const tg = this.#tg(input.TargetGroupArn);
    const describe = (id: string, port: number, t: TargetState | undefined): TargetHealthDescription => {
      const state = t?.state ?? 'unused';
      const reason = t ? t.reason : 'Target.NotRegistered';
      return {
        Target: { Id: id, Port: port, ...(t?.availabilityZone ? { AvailabilityZone: t.availabilityZone } : {}) },
        HealthCheckPort: tg.healthCheck.port === 'traffic-port' ? String(port) : tg.healthCheck.port,
        TargetHealth: { State: state, ...(reason ? { Reason: reason, Description: REASON_TEXT[reason] } : {}) },
      };
    };
    const descriptions = input.Targets
      ? input.Targets.map((q) => {
          const port = q.Port ?? tg.port ?? 0;
          return describe(q.Id!, port, tg.targets.get(`${q.Id}:${port}`));
        })
      : [...tg.targets.values()].map((t) => describe(t.id, t.port, t));
    return { TargetHealthDescriptions: descriptions };
  }

  #register(tg: TgState, id: string, port: number, healthy: boolean, availabilityZone?: string): void {
    const existing = tg.targets.get(`${id}:${port}`);
    if (existing && existing.state !== 'draining') {
      existing.healthy = healthy;
      this.#recheck(tg, existing);
      return;
    }
    const t: TargetState = { id, port, availabilityZone, healthy, state: 'unused', gen: 0 };
    tg.targets.set(`${id}:${port}`, t);
    if (tg.inUse) this.#startChecks(tg, t);
    else this.#set(t, 'unused', 'Target.NotInUse');
  }

  #deregister(tg: TgState, id: string, port: number): void {
    const key = `${id}:${port}`;
    const t = tg.targets.get(key);
    if (!t || t.state === 'draining') return;
    if (!tg.inUse) {
      tg.targets.delete(key);
      return;
    }
    this.#set(t, 'draining', 'Target.DeregistrationInProgress');
    this.#after(tg, t, tg.deregistrationDelayS * 1000, () => tg.targets.delete(key));
  }

  #passes(tg: TgState, t: TargetState): boolean {
    return t.healthy && !tg.failing;
  }

  #checksToFlip(tg: TgState, t: TargetState): number {
    const hc = tg.healthCheck;
    return hc.intervalS * 1000 * (this.#passes(tg, t) ? hc.healthyThreshold : hc.unhealthyThreshold);
  }

  #startChecks(tg: TgState, t: TargetState): void {
    this.#set(t, 'initial', 'Elb.RegistrationInProgress');
    const settleIn = this.#checksToFlip(tg, t);
    this.#after(tg, t, REGISTRATION_MS, () => {
      t.reason = 'Elb.InitialHealthChecking';
      this.#after(tg, t, Math.max(0, settleIn - REGISTRATION_MS), () => this.#settle(tg, t));
    });
  }

  #settle(tg: TgState, t: TargetState): void {
    if (this.#passes(tg, t)) this.#set(t, 'healthy');
    else this.#set(t, 'unhealthy', tg.failing ?? 'Target.FailedHealthChecks');
  }

  /** After a change in whether a settled target passes: it flips after the threshold's checks. */
  #recheck(tg: TgState, t: TargetState): void {
    if (t.state !== 'healthy' && t.state !== 'unhealthy') return; // initial targets settle on their own timer
    t.gen += 1; // cancels a flip scheduled by an earlier change
    const passes = this.#passes(tg, t);
    const reason = passes ? undefined : (tg.failing ?? 'Target.FailedHealthChecks');
    if (t.state === (passes ? 'healthy' : 'unhealthy') && t.reason === reason) return;
    this.#after(tg, t, this.#checksToFlip(tg, t), () => this.#settle(tg, t));
  }

  #set(t: TargetState, state: TargetHealthStateEnum, reason?: TargetHealthReasonEnum): void {
    t.gen += 1;
    t.state = state;
    t.reason = reason;
  }

  /** Runs `fn` after `ms` unless the target has moved on (re-registered, deregistered, re-checked). */
  #after(tg: TgState, t: TargetState, ms: number, fn: () => void): void {
    const gen = t.gen;
    this.account.clock.schedule(ms, () => {
      if (t.gen === gen && tg.targets.get(`${t.id}:${t.port}`) === t && this.#tgs.get(tg.arn) === tg) fn();
    });
  }

  /**
   * Health checks run only while a listener or rule forwards to the group. Called after every
   * change to load balancers, listeners or rules: starts or stops checks where usage changed.
   */
  #refreshUsage(): void {
    for (const tg of this.#tgs.values()) {
      const inUse = this.#loadBalancerArnsOf(tg.arn).length > 0;
      if (inUse === tg.inUse) continue;
      tg.inUse = inUse;
      for (const [key, t] of tg.targets) {
        if (inUse) this.#startChecks(tg, t);
        else if (t.state === 'draining') tg.targets.delete(key);
        else this.#set(t, 'unused', 'Target.NotInUse');
      }
    }
  }

  // -------------------------------------------------------------------------------------- tags

  #addTags(input: AddTagsInput): Record<string, never> {
    const tags = input.Tags ?? [];
    checkTags(tags);
    const resources = (input.ResourceArns ?? []).map((arn) => this.#taggable(arn));
    for (const r of resources) {
      const merged = new Map(r.tags.map((t) => [t.Key, t.Value]));
      for (const t of tags) merged.set(t.Key, t.Value ?? '');
      if (merged.size > MAX_TAGS) throw awsError(TooManyTagsException, `A resource can have at most ${MAX_TAGS} tags`);
      r.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
    }
    return {};
  }

  #removeTags(input: RemoveTagsInput): Record<string, never> {
    const keys = new Set(input.TagKeys ?? []);
    for (const r of (input.ResourceArns ?? []).map((arn) => this.#taggable(arn))) r.tags = r.tags.filter((t) => !keys.has(t.Key!));
    return {};
  }

  #describeTags(input: DescribeTagsInput) {
    checkMax('resourceArns', input.ResourceArns, 20);
    return {
      TagDescriptions: (input.ResourceArns ?? []).map((arn) => ({ ResourceArn: arn, Tags: structuredClone(this.#taggable(arn).tags) })),
    };
  }

  #taggable(arn: string): { tags: Tag[] } {
    const kind = /^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d*:(loadbalancer|targetgroup|listener|listener-rule)\//.exec(arn)?.[1];
    switch (kind) {
      case 'loadbalancer':
        return this.#lbs.get(arn) ?? lbNotFound();
      case 'targetgroup':
        return this.#tgs.get(arn) ?? tgNotFound();
      case 'listener':
        return this.#listeners.get(arn) ?? listenerNotFound();
      case 'listener-rule':
        return this.#rules.get(arn) ?? ruleNotFound();
      default:
        throw validation(`'${arn}' is not a valid resource ARN`);
    }
  }
}

// ---------------------------------------------------------------------------------- errors

function validation(message: string): Error {
  return unmodelledError(ElasticLoadBalancingV2ServiceException, 'ValidationError', message);
}

const lbNotFound = (): never => {
  throw awsError(LoadBalancerNotFoundException, 'One or more load balancers not found');
};
const tgNotFound = (): never => {
  throw awsError(TargetGroupNotFoundException, 'One or more target groups not found');
};
const listenerNotFound = (): never => {
  throw awsError(ListenerNotFoundException, 'One or more listeners not found');
};
const ruleNotFound = (): never => {
  throw awsError(RuleNotFoundException, 'One or more rules not found');
};
const invalidMarker = (): Error => validation('The marker is not valid');

function checkName(name: string, what: string): void {
  if (name.length > 32) throw validation(`The ${what} name '${name}' cannot be longer than '32' characters`);
  if (!NAME_RULE.test(name)) {
    throw validation(`The ${what} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-) and must not begin or end with a hyphen`);
  }
}

function checkArn(arn: string | undefined, resource: string, what: string): void {
  if (!arn || !new RegExp(`^arn:aws[a-z-]*:elasticloadbalancing:[^:]+:\\d{12}:${resource}/`).test(arn)) {
    throw validation(`'${arn ?? ''}' is not a valid ${what} ARN`);
  }
}

function checkMax(field: string, values: string[] | undefined, max: number): void {
  if (values && values.length > max) {
    throw validation(`1 validation error detected: Value '[${values.join(', ')}]' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
}

function pageSize(size: number | undefined): number {
  if (size === undefined) return 400;
  if (!Number.isInteger(size) || size < 1 || size > 400) {
    throw validation(`1 validation error detected: Value '${size}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400`);
  }
  return size;
}

function checkTags(tags: Tag[]): void {
  const keys = tags.map((t) => t.Key);
  if (new Set(keys).size !== keys.length) throw awsError(DuplicateTagKeysException, 'A tag key was specified more than once');
  if (tags.length > MAX_TAGS) throw awsError(TooManyTagsException, `A resource can have at most ${MAX_TAGS} tags`);
}

/**
 * A rule condition as ELB describes it: a host-header or path-pattern condition given through its
 * `*Config` carries the same values in `Values` as well.
 */
function normaliseCondition(c: RuleCondition): RuleCondition {
  const config = c.HostHeaderConfig ?? c.PathPatternConfig;
  const values = c.Values ?? config?.Values;
  if (!c.Field || !values?.length) throw validation('A condition must have a field and at least one value');
  for (const v of values) if (v.length > 128) throw validation(`The condition value '${v}' is longer than 128 characters`);
  const out: RuleCondition = { Field: c.Field, Values: [...values] };
  if (c.Field === 'host-header') out.HostHeaderConfig = { Values: [...values] };
  if (c.Field === 'path-pattern') out.PathPatternConfig = { Values: [...values] };
  return out;
}

/** A fixed-response action: a 2XX, 4XX or 5XX status, one of five content types, a body of at most 1024 characters. */
function checkFixedResponse(a: Action): void {
  const f = a.FixedResponseConfig;
  if (!f?.StatusCode) throw validation('A fixed response config must be specified for a fixed-response action');
  if (!/^(2|4|5)\d\d$/.test(f.StatusCode)) {
    throw validation(`1 validation error detected: Value '${f.StatusCode}' at 'actions.1.member.fixedResponseConfig.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$`);
  }
  if (f.ContentType !== undefined && !FIXED_RESPONSE_CONTENT_TYPES.has(f.ContentType)) {
    throw awsError(InvalidConfigurationRequestException, `The content type '${f.ContentType}' is not supported for a fixed response`);
  }
  if ((f.MessageBody ?? '').length > 1024) {
    throw validation("1 validation error detected: Value at 'actions.1.member.fixedResponseConfig.messageBody' failed to satisfy constraint: Member must have length less than or equal to 1024");
  }
}

/** Target group ARNs a (forward) action sends traffic to. */
function forwardTargets(a: Action): string[] {
  if (a.Type !== 'forward') return [];
  return a.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn!) ?? (a.TargetGroupArn ? [a.TargetGroupArn] : []);
}
