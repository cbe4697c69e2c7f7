import type { CloudFrontFixture } from './cloudfront.js';
import type { CodeDeployFixture } from './codedeploy.js';
import type { EcrFixture } from './ecr.js';
import type { EcsFixture } from './ecs.js';
import type { Elbv2Fixture } from './elbv2.js';
import type { Route53Fixture } from './route53.js';

/**
 * The starting state of a simulated account, as a YAML/JSON document (`steady plan --sim FILE`).
 * Each section belongs to one simulated service and is applied in dependency order (ECR, ELB,
 * CloudFront, Route 53 (whose aliases name load balancers and distributions), then ECS and
 * CodeDeploy, which refer to the others by name).
 */
export interface SimFixture {
  accountId?: string;
  region?: string;
  ecr?: EcrFixture;
  elbv2?: Elbv2Fixture;
  route53?: Route53Fixture;
  cloudfront?: CloudFrontFixture;
  ecs?: EcsFixture;
  codedeploy?: CodeDeployFixture;
}
