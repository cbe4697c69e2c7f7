/**
 * The roles a GitHub Actions workflow assumes through GitHub's OIDC provider, so that no access key
 * is stored anywhere (the README's "Reviewing and publishing specs from CI"):
 *
 * - the **plan role**, for the repository's pull requests (`repo:OWNER/REPO:pull_request`): what
 *   `steady plan --from` reads and nothing else (`PLAN_ACTIONS`, on the resources the controller's
 *   own policy names);
 * - the **publisher role**, for pushes to the branch that publishes
 *   (`repo:OWNER/REPO:ref:refs/heads/BRANCH`): reading and writing the spec prefix, as `steady
 *   apply` needs, and nothing else.
 *
 * Both trust only tokens whose audience is `sts.amazonaws.com`. The provider is made here unless
 * the account has one already (`githubOidcProviderArn`): an account holds one per URL.
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { planStatements, publisherStatements, type ControllerStatement, type PolicyScope } from './policy.js';
import type { GitHubConfig, SteadyDeployConfig } from './context.js';
import { acknowledgeWildcards } from './nag.js';

/** GitHub Actions' token issuer, and the audience `aws-actions/configure-aws-credentials` asks for. */
export const GITHUB_OIDC = { host: 'token.actions.githubusercontent.com', audience: 'sts.amazonaws.com' } as const;

/** The `sub` claim of a workflow run for a pull request of `repository`, and for a push to `branch`. */
export function subjects(github: GitHubConfig): { pullRequest: string; branch: string } {
  return { pullRequest: `repo:${github.repository}:pull_request`, branch: `repo:${github.repository}:ref:refs/heads/${github.branch}` };
}

export interface CiRolesProps {
  config: SteadyDeployConfig & { github: GitHubConfig };
  scope: PolicyScope;
}

export class CiRoles extends Construct {
  readonly planRole: iam.Role;
  readonly publisherRole: iam.Role;
  readonly providerArn: string;

  constructor(scope: Construct, id: string, props: CiRolesProps) {
    super(scope, id);
    const { github } = props.config;
    this.providerArn =
      github.oidcProviderArn ??
      new iam.OidcProviderNative(this, 'GitHubOidcProvider', { url: `https://${GITHUB_OIDC.host}`, clientIds: [GITHUB_OIDC.audience] }).oidcProviderArn;
    const sub = subjects(github);
    this.planRole = this.role('PlanRole', sub.pullRequest, `steady plan for pull requests of ${github.repository}: reads only`, planStatements(props.config, props.scope));
    this.publisherRole = this.role(
      'PublisherRole',
      sub.branch,
      `steady apply from ${github.repository} ${github.branch}: the spec prefix only`,
      publisherStatements(props.scope),
    );
    const stack = Stack.of(this);
    new CfnOutput(stack, 'CiPlanRoleArn', { description: `Assumed by pull requests of ${github.repository} to run steady plan`, value: this.planRole.roleArn });
    new CfnOutput(stack, 'CiPublisherRoleArn', { description: `Assumed by pushes to ${github.branch} of ${github.repository} to run steady apply`, value: this.publisherRole.roleArn });
  }

  /** A role only GitHub tokens with this `sub` (and steady's audience) may assume, with these statements. */
  private role(id: string, subject: string, description: string, statements: ControllerStatement[]): iam.Role {
    const role = new iam.Role(this, id, {
      description,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(this.providerArn, {
        StringEquals: { [`${GITHUB_OIDC.host}:aud`]: GITHUB_OIDC.audience, [`${GITHUB_OIDC.host}:sub`]: subject },
      }),
    });
    const policy = new iam.Policy(this, `${id}Policy`, { statements: statements.map((s) => s.statement), roles: [role] });
    acknowledgeWildcards(policy, statements);
    return role;
  }
}
