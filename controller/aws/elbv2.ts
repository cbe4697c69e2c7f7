import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Action,
  type Rule,
  type LoadBalancer as SdkLoadBalancer,
  type TargetGroup as SdkTargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsCallError, awsCall } from '../errors.js';
import {
  normaliseDnsName,
  type ForwardAction,
  type Listener,
  type ListenerRule,
  type LoadBalancer,
  type Tags,
  type TargetGroup,
  type TargetHealth,
} from '../model/aws.js';
import { mapLimit } from '../concurrency.js';
import type { MaintenanceRule } from '../model/maintenance.js';
import { chunk, collectPages } from './batching.js';
import { pacerOf, steadyRate } from './pace.js';

/** DescribeLoadBalancers and DescribeTargetGroups take at most 20 names, DescribeTags 20 ARNs. */
export const ELB_NAMES_PER_CALL = 20;
/** The largest page ELBv2's Describe* operations return. */
export const ELB_MAX_PAGE_SIZE = 400;

/** What a lookup by name found, and the names that do not exist. */
export interface ByName<T> {
  found: T[];
  missing: string[];
}

export interface Elbv2AdapterOptions {
  /** `PageSize` of paged Describe* calls; default (and maximum) 400. */
  pageSize?: number;
}

/**
 * steady's reads of Elastic Load Balancing v2, batched to the API maxima and paged to the end,
 * returning the normalised shapes of model/aws.ts. Every failure is an AwsCallError saying what
 * was being read.
 *
 * @example
 * const elb = new Elbv2Adapter(clients.elbv2);
 * const { found, missing } = await elb.loadBalancersByName(['shop-api-alb']);
 */
export class Elbv2Adapter {
  readonly #pageSize: number;

  constructor(
    private readonly client: ElasticLoadBalancingV2Client = new ElasticLoadBalancingV2Client({ retryMode: 'adaptive' }),
    options: Elbv2AdapterOptions = {},
  ) {
    this.#pageSize = options.pageSize ?? ELB_MAX_PAGE_SIZE;
  }

  /**
   * The rate (calls a second) steady's Describe* calls through this client are paced at
   * (`aws/pace.ts`), or the rate steady means to use of AWS's bucket when the client is not paced.
   */
  readsPerSecond(): number {
    return pacerOf(this.client)?.perSecond('DescribeTargetHealth') ?? steadyRate('elbv2', 'DescribeTargetHealth')!;
  }

  /**
   * Load balancers by name: 20 names a DescribeLoadBalancers call, or the account's whole listing
   * (400 a page) when that is fewer calls (see `#byName`).
   *
   * ELB fails a whole call when any one name is unknown (LoadBalancerNotFound). On such a failure
   * this lists every load balancer of the account and resolves the remaining names from that
   * listing. Splitting the failed batch and retrying the halves would cost about 2 x log2(20) ~ 10
   * extra calls per missing name, which only wins in accounts with thousands of load balancers.
   */
  async loadBalancersByName(names: readonly string[]): Promise<ByName<LoadBalancer>> {
    return this.#byName(names, {
      what: 'load balancers',
      notFound: 'LoadBalancerNotFoundException',
      nameOf: (lb: SdkLoadBalancer) => lb.LoadBalancerName!,
      describe: async (batch, marker) => {
        const out = await this.client.send(new DescribeLoadBalancersCommand({ ...(batch ? { Names: batch } : {}), Marker: marker, PageSize: this.#pageSize }));
        return { items: out.LoadBalancers ?? [], next: out.NextMarker };
      },
      operation: 'DescribeLoadBalancers',
      normalise: toLoadBalancer,
    });
  }

  /** Target groups by name, as for load balancers: 20 a DescribeTargetGroups call or the whole listing, whichever is fewer calls. */
  async targetGroupsByName(names: readonly string[]): Promise<ByName<TargetGroup>> {
    return this.#byName(names, {
      what: 'target groups',
      notFound: 'TargetGroupNotFoundException',
      nameOf: (tg: SdkTargetGroup) => tg.TargetGroupName!,
      describe: async (batch, marker) => {
        const out = await this.client.send(new DescribeTargetGroupsCommand({ ...(batch ? { Names: batch } : {}), Marker: marker, PageSize: this.#pageSize }));
        return { items: out.TargetGroups ?? [], next: out.NextMarker };
      },
      operation: 'DescribeTargetGroups',
      normalise: toTargetGroup,
    });
  }

  /** Target groups by ARN, 20 a DescribeTargetGroups call (`steady import`: a service names its target groups by ARN). */
  async targetGroupsByArn(arns: readonly string[]): Promise<TargetGroup[]> {
    const out: TargetGroup[] = [];
    for (const batch of chunk([...new Set(arns)], ELB_NAMES_PER_CALL)) {
      const items = await awsCall('elbv2', 'DescribeTargetGroups', `describing target groups ${describeList(batch)}`, () =>
        collectPages(async (marker: string | undefined) => {
          const page = await this.client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: batch, Marker: marker, PageSize: this.#pageSize }));
          return { items: page.TargetGroups ?? [], next: page.NextMarker };
        }),
      );
      out.push(...items.map(toTargetGroup));
    }
    return out;
  }

  /** Load balancers by ARN, 20 a DescribeLoadBalancers call. */
  async loadBalancersByArn(arns: readonly string[]): Promise<LoadBalancer[]> {
    const out: LoadBalancer[] = [];
    for (const batch of chunk([...new Set(arns)], ELB_NAMES_PER_CALL)) {
      const items = await awsCall('elbv2', 'DescribeLoadBalancers', `describing load balancers ${describeList(batch)}`, () =>
        collectPages(async (marker: string | undefined) => {
          const page = await this.client.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: batch, Marker: marker, PageSize: this.#pageSize }));
          return { items: page.LoadBalancers ?? [], next: page.NextMarker };
        }),
      );
      out.push(...items.map(toLoadBalancer));
    }
    return out;
  }

  /** The listeners of a load balancer, every page. */
  async listeners(loadBalancerArn: string): Promise<Listener[]> {
    const listeners = await awsCall('elbv2', 'DescribeListeners', `listing listeners of load balancer ${loadBalancerArn}`, () =>
      collectPages(async (marker: string | undefined) => {
        const out = await this.client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker, PageSize: this.#pageSize }));
        return { items: out.Listeners ?? [], next: out.NextMarker };
      }),
    );
    return listeners.map((l) => ({
      arn: l.ListenerArn!,
      loadBalancerArn: l.LoadBalancerArn!,
      port: l.Port!,
      protocol: l.Protocol!,
      certificateArns: (l.Certificates ?? []).map((c) => c.CertificateArn!),
      ...(l.SslPolicy ? { sslPolicy: l.SslPolicy } : {}),
      defaultActions: (l.DefaultActions ?? []).map(toAction),
    }));
  }

  /** The rules of a listener (the default rule last, `priority: "default"`), every page. */
  async rules(listenerArn: string): Promise<ListenerRule[]> {
    const rules = await awsCall('elbv2', 'DescribeRules', `listing rules of listener ${listenerArn}`, () =>
      collectPages(async (marker: string | undefined) => {
        const out = await this.client.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: this.#pageSize }));
        return { items: out.Rules ?? [], next: out.NextMarker };
      }),
    );
    return rules.map(toRule);
  }

  /**
   * Creates a fixed-response rule (a maintenance rule) at its priority, tagged in the same call.
   * PriorityInUse when another rule holds the priority.
   */
  async createFixedResponseRule(listenerArn: string, rule: MaintenanceRule, tags: Tags): Promise<ListenerRule> {
    const out = await awsCall('elbv2', 'CreateRule', `creating rule ${rule.priority} on listener ${listenerArn}`, () =>
      this.client.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: rule.priority,
          Conditions: rule.conditions.map((c) =>
            c.field === 'host-header' ? { Field: c.field, HostHeaderConfig: { Values: c.values } } : { Field: c.field, PathPatternConfig: { Values: c.values } },
          ),
          Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: rule.statusCode, ContentType: rule.contentType, MessageBody: rule.body } }],
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
    return toRule(out.Rules![0]);
  }

  /** Deletes a rule; a rule already gone (RuleNotFound) counts as deleted. */
  async deleteRule(ruleArn: string): Promise<void> {
    try {
      await awsCall('elbv2', 'DeleteRule', `deleting rule ${ruleArn}`, () => this.client.send(new DeleteRuleCommand({ RuleArn: ruleArn })));
    } catch (err) {
      if (!(err instanceof AwsCallError && err.awsName === 'RuleNotFoundException')) throw err;
    }
  }

  /** The health of every target registered in a target group. */
  async targetHealth(targetGroupArn: string): Promise<TargetHealth[]> {
    const out = await awsCall('elbv2', 'DescribeTargetHealth', `reading target health of target group ${targetGroupArn}`, () =>
      this.client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
    );
    return (out.TargetHealthDescriptions ?? []).map((d) => ({
      id: d.Target!.Id!,
      ...(d.Target!.Port !== undefined ? { port: d.Target!.Port } : {}),
      state: d.TargetHealth!.State as TargetHealth['state'],
      ...(d.TargetHealth!.Reason ? { reason: d.TargetHealth!.Reason } : {}),
      ...(d.TargetHealth!.Description ? { description: d.TargetHealth!.Description } : {}),
    }));
  }

  /** Tags of load balancers, target groups, listeners or rules by ARN, 20 ARNs a DescribeTags call. */
  async tags(arns: readonly string[]): Promise<Record<string, Tags>> {
    const tags: Record<string, Tags> = {};
    for (const batch of chunk([...new Set(arns)], ELB_NAMES_PER_CALL)) {
      const out = await awsCall('elbv2', 'DescribeTags', `reading tags of ${describeList(batch)}`, () =>
        this.client.send(new DescribeTagsCommand({ ResourceArns: batch })),
      );
      for (const d of out.TagDescriptions ?? []) tags[d.ResourceArn!] = Object.fromEntries((d.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
    }
    return tags;
  }

  /**
   * Names to items. Up to 20 names: one call by name. More: the account's whole listing first (400
   * a page), which is fewer calls when most of the account's items are wanted, stopping once every
   * name is found or once it has cost as many calls as asking by name would (then the rest by name,
   * 20 a call, a few calls at once). A name that does not exist fails its by-name call
   * (xxxNotFound); the listing then goes on to the end and settles which names are missing.
   */
  async #byName<S, T>(
    names: readonly string[],
    kind: {
      what: string;
      operation: string;
      notFound: string;
      nameOf: (s: S) => string;
      /** One page of the given names, or of everything when `batch` is undefined. */
      describe: (batch: string[] | undefined, marker: string | undefined) => Promise<{ items: S[]; next?: string }>;
      normalise: (s: S) => T;
    },
  ): Promise<ByName<T>> {
    const wanted = [...new Set(names)];
    const want = new Set(wanted);
    const seen = new Map<string, S>();
    const listing = { marker: undefined as string | undefined, done: false, pages: 0 };
    const listPages = async (maxPages: number) => {
      while (!listing.done && listing.pages < maxPages && seen.size < want.size) {
        const page = await awsCall('elbv2', kind.operation, `listing all ${kind.what} to find ${describeList(wanted.filter((n) => !seen.has(n)))}`, () => kind.describe(undefined, listing.marker));
        for (const s of page.items) if (want.has(kind.nameOf(s))) seen.set(kind.nameOf(s), s);
        listing.marker = page.next;
        listing.done = page.next === undefined;
        listing.pages += 1;
      }
    };
    if (wanted.length > ELB_NAMES_PER_CALL) await listPages(Math.ceil(wanted.length / ELB_NAMES_PER_CALL));
    const rest = listing.done ? [] : wanted.filter((n) => !seen.has(n));
    let unknownName = false;
    await mapLimit(chunk(rest, ELB_NAMES_PER_CALL), 4, async (batch) => {
      try {
        const items = await awsCall('elbv2', kind.operation, `describing ${kind.what} ${describeList(batch)}`, () =>
          collectPages((marker: string | undefined) => kind.describe(batch, marker)),
        );
        for (const s of items) seen.set(kind.nameOf(s), s);
      } catch (err) {
        if (!(err instanceof AwsCallError) || err.awsName !== kind.notFound) throw err;
        unknownName = true;
      }
    });
    if (unknownName) await listPages(Infinity);
    return {
      found: wanted.filter((n) => seen.has(n)).map((n) => kind.normalise(seen.get(n)!)),
      missing: wanted.filter((n) => !seen.has(n)),
    };
  }
}

/** `a, b, c`, or the first few and a count, so messages stay readable for 20 names. */
function describeList(items: readonly string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}

function toLoadBalancer(lb: SdkLoadBalancer): LoadBalancer {
  return {
    arn: lb.LoadBalancerArn!,
    name: lb.LoadBalancerName!,
    dnsName: normaliseDnsName(lb.DNSName!),
    canonicalHostedZoneId: lb.CanonicalHostedZoneId!,
    type: lb.Type as LoadBalancer['type'],
    scheme: lb.Scheme as LoadBalancer['scheme'],
    state: lb.State!.Code as LoadBalancer['state'],
    ...(lb.VpcId ? { vpcId: lb.VpcId } : {}),
    ...(lb.CreatedTime ? { createdAt: lb.CreatedTime.getTime() } : {}),
  };
}

function toTargetGroup(tg: SdkTargetGroup): TargetGroup {
  return {
    arn: tg.TargetGroupArn!,
    name: tg.TargetGroupName!,
    ...(tg.Protocol ? { protocol: tg.Protocol } : {}),
    ...(tg.Port !== undefined ? { port: tg.Port } : {}),
    targetType: tg.TargetType as TargetGroup['targetType'],
    loadBalancerArns: [...(tg.LoadBalancerArns ?? [])].sort(),
    ...(tg.VpcId ? { vpcId: tg.VpcId } : {}),
    ...(tg.HealthCheckPath ? { healthCheckPath: tg.HealthCheckPath } : {}),
    ...(tg.HealthCheckPort ? { healthCheckPort: tg.HealthCheckPort } : {}),
    ...(tg.HealthCheckProtocol ? { healthCheckProtocol: tg.HealthCheckProtocol } : {}),
    ...(tg.Matcher?.HttpCode ? { matcher: tg.Matcher.HttpCode } : {}),
  };
}

/** An action with the target groups it forwards to (ForwardConfig when present, else TargetGroupArn), or what it answers. */
function toAction(a: Action): ForwardAction {
  const groups = a.ForwardConfig?.TargetGroups?.map((g) => ({ arn: g.TargetGroupArn!, weight: g.Weight ?? 1 })) ??
    (a.TargetGroupArn ? [{ arn: a.TargetGroupArn, weight: 1 }] : []);
  const f = a.FixedResponseConfig;
  return {
    type: a.Type!,
    targetGroups: groups,
    ...(a.Type === 'fixed-response' && f
      ? { fixedResponse: { statusCode: f.StatusCode!, ...(f.ContentType ? { contentType: f.ContentType } : {}), ...(f.MessageBody !== undefined ? { messageBody: f.MessageBody } : {}) } }
      : {}),
  };
}

function toRule(r: Rule): ListenerRule {
  return {
    arn: r.RuleArn!,
    priority: r.Priority!,
    isDefault: r.IsDefault ?? false,
    conditions: (r.Conditions ?? []).map((c) => ({
      field: c.Field!,
      values: c.Values ?? c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? c.HttpRequestMethodConfig?.Values ?? c.SourceIpConfig?.Values ?? [],
    })),
    actions: (r.Actions ?? []).map(toAction),
  };
}
