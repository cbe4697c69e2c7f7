/**
 * The CodeDeploy adapter: the only place steady calls AWS CodeDeploy, for ECS blue/green services.
 * Four calls: GetDeploymentGroup (validation), ListDeployments (is one running?), GetDeployment
 * (how is it going?) and CreateDeployment (roll a revision out). Every failure becomes an
 * `AwsCallError` that says what was being done and keeps the AWS error name.
 *
 * ## IAM
 * The controller's policy (deploy/policy.ts) allows these calls on the deployment groups given at
 * deploy time, plus what CreateDeployment uses on the caller's behalf (GetDeploymentConfig,
 * Register/GetApplicationRevision). CreateDeployment needs no `iam:PassRole`:
 * CodeDeploy acts with the service role set on the deployment group when the group was created,
 * and the task definition's roles were passed when steady registered it (ECS permissions).
 */
// Types only: each call imports the SDK's package (`await import`; Node loads it once), so the
// Lambda's cold start does not load it (the bundle puts it in a chunk of its own); most
// environments have no blue/green service.
import type { CodeDeployClient, DeploymentGroupInfo, DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { AwsCallError, awsCall } from '../errors.js';
import type { CodeDeployDeployment, CodeDeployDeploymentGroup, CodeDeployStatus } from '../model/aws.js';

/** Statuses of a deployment that has not finished (one per deployment group at a time). */
export const CODEDEPLOY_ACTIVE: readonly CodeDeployStatus[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

/** What steady deploys: an AppSpec naming the revision, with its sha256. */
export interface CreateDeploymentRequest {
  application: string;
  deploymentGroup: string;
  deploymentConfig: string;
  appSpec: { content: string; sha256: string };
  description: string;
}

/** Why a deployment group could not be found: CodeDeploy's error name and message. */
export interface MissingDeploymentGroup {
  missing: { awsName: 'ApplicationDoesNotExistException' | 'DeploymentGroupDoesNotExistException'; message: string };
}

/**
 * CodeDeploy, narrowed to what blue/green rollouts of ECS services need.
 *
 * @example
 * const codedeploy = new CodeDeployAdapter(createAwsClients({ region }).codedeploy);
 * const found = await codedeploy.deploymentGroup('messaging-prod', 'messaging-api');
 * if ('group' in found) console.log(found.group.targetGroups); // ['messaging-api-blue', 'messaging-api-green']
 */
export class CodeDeployAdapter {
  /** A client, or a `LazyClient` of one (`AwsClients.codedeploy`, made when first used). */
  constructor(private readonly client: Pick<CodeDeployClient, 'send'>) {}

  /** The deployment group, or which of the application and the group does not exist. */
  async deploymentGroup(application: string, group: string): Promise<{ group: CodeDeployDeploymentGroup } | MissingDeploymentGroup> {
    const { GetDeploymentGroupCommand } = await import('@aws-sdk/client-codedeploy');
    try {
      const out = await awsCall('codedeploy', 'GetDeploymentGroup', `reading deployment group ${group} of CodeDeploy application ${application}`, () =>
        this.client.send(new GetDeploymentGroupCommand({ applicationName: application, deploymentGroupName: group })),
      );
      return { group: toDeploymentGroup(out.deploymentGroupInfo ?? {}, application, group) };
    } catch (err) {
      if (err instanceof AwsCallError && (err.awsName === 'ApplicationDoesNotExistException' || err.awsName === 'DeploymentGroupDoesNotExistException')) {
        return { missing: { awsName: err.awsName, message: (err.cause as Error).message } };
      }
      throw err;
    }
  }

  /** Ids of the group's deployments that have not finished, every page. */
  async activeDeployments(application: string, group: string): Promise<string[]> {
    const { ListDeploymentsCommand } = await import('@aws-sdk/client-codedeploy');
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await awsCall('codedeploy', 'ListDeployments', `listing unfinished deployments of deployment group ${group} of CodeDeploy application ${application}`, () =>
        this.client.send(
          new ListDeploymentsCommand({ applicationName: application, deploymentGroupName: group, includeOnlyStatuses: [...CODEDEPLOY_ACTIVE], nextToken }),
        ),
      );
      ids.push(...(out.deployments ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return ids;
  }

  /** One deployment, or undefined when CodeDeploy does not know it (any more). */
  async deployment(id: string): Promise<CodeDeployDeployment | undefined> {
    const { GetDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
    try {
      const out = await awsCall('codedeploy', 'GetDeployment', `reading CodeDeploy deployment ${id}`, () => this.client.send(new GetDeploymentCommand({ deploymentId: id })));
      return out.deploymentInfo ? toDeployment(out.deploymentInfo) : undefined;
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'DeploymentDoesNotExistException') return undefined;
      throw err;
    }
  }

  /** Starts a deployment; returns its id (`d-...`). */
  async createDeployment(request: CreateDeploymentRequest): Promise<string> {
    const { CreateDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
    const out = await awsCall(
      'codedeploy',
      'CreateDeployment',
      `creating a deployment in deployment group ${request.deploymentGroup} of CodeDeploy application ${request.application}`,
      () =>
        this.client.send(
          new CreateDeploymentCommand({
            applicationName: request.application,
            deploymentGroupName: request.deploymentGroup,
            deploymentConfigName: request.deploymentConfig,
            description: request.description,
            revision: { revisionType: 'AppSpecContent', appSpecContent: { content: request.appSpec.content, sha256: request.appSpec.sha256 } },
          }),
        ),
    );
    return out.deploymentId!;
  }
}

// ------------------------------------------------------------------------------------ mapping

function toDeploymentGroup(g: DeploymentGroupInfo, application: string, name: string): CodeDeployDeploymentGroup {
  const pairs = g.loadBalancerInfo?.targetGroupPairInfoList ?? [];
  const pair = pairs[0];
  return {
    application: g.applicationName ?? application,
    name: g.deploymentGroupName ?? name,
    computePlatform: g.computePlatform ?? 'Server',
    deploymentConfigName: g.deploymentConfigName ?? '',
    ecsServices: (g.ecsServices ?? []).map((s) => ({ serviceName: s.serviceName ?? '', clusterName: s.clusterName ?? '' })),
    targetGroups: (pair?.targetGroups ?? []).map((t) => t.name ?? ''),
    prodListenerArns: pair?.prodTrafficRoute?.listenerArns ?? [],
    testListenerArns: pair?.testTrafficRoute?.listenerArns ?? [],
    targetGroupPairs: pairs.length,
  };
}

function toDeployment(d: DeploymentInfo): CodeDeployDeployment {
  const compact = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const rb = d.rollbackInfo;
  return compact({
    id: d.deploymentId!,
    application: d.applicationName ?? '',
    deploymentGroup: d.deploymentGroupName ?? '',
    status: d.status as CodeDeployStatus,
    creator: d.creator,
    description: d.description,
    deploymentConfigName: d.deploymentConfigName,
    error: d.errorInformation && (d.errorInformation.code || d.errorInformation.message) ? compact({ code: d.errorInformation.code, message: d.errorInformation.message }) : undefined,
    rollback:
      rb && (rb.rollbackDeploymentId || rb.rollbackTriggeringDeploymentId || rb.rollbackMessage)
        ? compact({ rollbackDeploymentId: rb.rollbackDeploymentId, rollbackTriggeringDeploymentId: rb.rollbackTriggeringDeploymentId, message: rb.rollbackMessage })
        : undefined,
    appSpecSha256: d.revision?.appSpecContent?.sha256,
    createdAt: d.createTime?.getTime(),
    completedAt: d.completeTime?.getTime(),
  });
}
