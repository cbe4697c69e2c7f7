/**
 * The target-account stack: the least-privilege role steady's controller assumes in an account
 * where environments live (an Environment's `roleArn`), trusting only the controller's role and
 * only with the external id. Its permissions are the AWS statements of the controller's own policy
 * (ECS, ELBv2, ECR, CloudFront, ACM, Route 53, CodeDeploy, Scheduler, PassRole), scoped to the
 * account it is deployed in: nothing of the spec bucket, the state table or notifications. IAM is
 * global: deploy it once per account (one region), for many accounts with CloudFormation StackSets.
 */
import { Aws, CfnOutput, CfnParameter, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { SteadyDeployConfig } from './context.js';
import { controllerStatements } from './policy.js';
import { acknowledgeWildcards } from './stack.js';

/** The statements a target role gets: what steady does to AWS, not to its own bucket, table or logs. */
const TARGET_STATEMENT = /^(Ecs|PassTaskRoles|Elb|Ecr|CloudFront|Acm|Route53|CodeDeploy|Scheduler|PassSchedulerRoles)/;

export const TARGET_ROLE_NAME = 'steady-target';

export interface SteadyTargetStackProps extends StackProps {
  config: SteadyDeployConfig;
}

export class SteadyTargetStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SteadyTargetStackProps) {
    super(scope, id, { description: "steady's role in an account whose environments it reconciles (deploy with StackSets to many accounts)", ...props });
    const controllerRoleArn = new CfnParameter(this, 'ControllerRoleArn', {
      type: 'String',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
      description: "The controller's role (the Steady stack's ControllerRoleArn output): the only principal this role trusts",
    });
    const externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      minLength: 2,
      maxLength: 1224,
      allowedPattern: '^[\\w+=,.@:/-]+$',
      description: "The external id the Environments of this account name (spec.externalId); the controller must send it",
    });
    this.role = new iam.Role(this, 'TargetRole', {
      roleName: TARGET_ROLE_NAME,
      assumedBy: new iam.ArnPrincipal(controllerRoleArn.valueAsString),
      externalIds: [externalId.valueAsString],
      maxSessionDuration: Duration.hours(1),
      description: "steady's controller, from its own account: what steady's adapters call, on what the deployment names",
    });
    const regions = props.config.regions.length > 0 ? props.config.regions : [Aws.REGION];
    const scope_ = { partition: Aws.PARTITION, account: Aws.ACCOUNT_ID, regions, bucketArn: '', specPrefix: '', statusBucketArn: '', tableArn: '', indexName: '', logGroupArn: '' };
    const statements = controllerStatements(props.config, scope_).filter((s) => TARGET_STATEMENT.test(s.statement.sid ?? ''));
    const policy = new iam.Policy(this, 'TargetPolicy', { statements: statements.map((s) => s.statement), roles: [this.role] });
    acknowledgeWildcards(policy, statements);
    new CfnOutput(this, 'TargetRoleArn', { value: this.role.roleArn, description: "An Environment's roleArn in this account" });
  }
}
