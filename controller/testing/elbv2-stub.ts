import type { SimAccount } from '../sim/account.js';
import type { SimTarget } from '../sim/elbv2.js';

/** A target group the stub knows: by default `ip` targets behind one load balancer. */
export interface StubTargetGroup {
  name: string;
  targetType?: string;
  /** False for a target group no load balancer forwards to. */
  attached?: boolean;
}

/**
 * Test-only: replaces the ECS-facing part of the account's simulated ELBv2 (target-group lookup,
 * DescribeTargetGroups by name for fixtures, target registration) with a tiny in-memory stand-in,
 * so the ECS simulator can be tested on its own. Returns the target-group ARNs by name and the
 * currently registered targets.
 */
export function stubTargetGroups(account: SimAccount, groups: StubTargetGroup[]) {
  const arns: Record<string, string> = {};
  const info = new Map<string, { arn: string; name: string; targetType: string; loadBalancerArns: string[] }>();
  const targets = new Map<string, SimTarget[]>();
  for (const g of groups) {
    const arn = `arn:aws:elasticloadbalancing:${account.region}:${account.accountId}:targetgroup/${g.name}/${account.hex(16)}`;
    arns[g.name] = arn;
    const lb = `arn:aws:elasticloadbalancing:${account.region}:${account.accountId}:loadbalancer/app/${g.name}-alb/${account.hex(16)}`;
    info.set(arn, { arn, name: g.name, targetType: g.targetType ?? 'ip', loadBalancerArns: g.attached === false ? [] : [lb] });
    targets.set(arn, []);
  }
  const elbv2 = account.elbv2;
  elbv2.targetGroupInfo = (arn) => info.get(arn);
  elbv2.registerTargets = (arn, list) => targets.get(arn)!.push(...list);
  elbv2.deregisterTargets = (arn, list) =>
    targets.set(
      arn,
      targets.get(arn)!.filter((t) => !list.some((d) => d.id === t.id && d.port === t.port)),
    );
  elbv2.operations.DescribeTargetGroups = (input: { Names?: string[] }) => ({
    TargetGroups: (input.Names ?? []).filter((n) => arns[n]).map((n) => ({ TargetGroupArn: arns[n], TargetGroupName: n })),
  });
  return { arns, targets: (name: string) => targets.get(arns[name]) ?? [] };
}
