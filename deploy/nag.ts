/**
 * cdk-nag acknowledgements the stack derives from its own policies, so that a wildcard is never
 * acknowledged without the reason its statement gives.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { ControllerStatement } from './policy.js';

/**
 * One cdk-nag acknowledgement per wildcard resource of `policy`, with the reason its statement
 * gives. A wildcard without a reason is a defect: synthesis stops.
 */
export function acknowledgeWildcards(policy: iam.Policy, statements: ControllerStatement[]): void {
  const stack = Stack.of(policy);
  const reasons = new Map<string, string[]>();
  for (const { statement, wildcards } of statements) {
    const json = statement.toStatementJson() as { Sid: string; Resource?: unknown };
    for (const resource of ([] as unknown[]).concat(json.Resource ?? [])) {
      const flat = flattenCfnReference(stack.resolve(resource));
      if (!flat.includes('*')) continue;
      if (!wildcards) throw new Error(`policy statement ${json.Sid} has the wildcard resource ${flat} but gives no reason for it`);
      const id = `AwsSolutions-IAM5[Resource::${flat}]`;
      reasons.set(id, [...(reasons.get(id) ?? []), `${json.Sid}: ${wildcards}`]);
    }
  }
  for (const [id, why] of reasons) Validations.of(policy).acknowledge({ id, reason: why.join('; ') });
}
