/**
 * The AWS reads only `steady import` makes: listing every hosted zone of the account, and finding
 * the CodeDeploy deployment group of a blue/green service through every application. They are not
 * in the adapters the controller uses, so the Lambda's policy does not have to allow them
 * (`deploy/policy.test.ts`); `steady import` runs with the user's own credentials.
 */
import { CodeDeployClient, ListApplicationsCommand, ListDeploymentGroupsCommand } from '@aws-sdk/client-codedeploy';
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { collectPages } from '../aws/batching.js';
import type { CodeDeployAdapter } from '../aws/codedeploy.js';
import { toHostedZone, ZONES_PER_PAGE } from '../aws/route53.js';
import { awsCall } from '../errors.js';
import type { CodeDeployDeploymentGroup, HostedZone } from '../model/aws.js';

/** What `steady import` reads besides the controller's adapters. */
export interface ImportReads {
  allZones(): Promise<HostedZone[]>;
  groupOfService(cluster: string, service: string): Promise<CodeDeployDeploymentGroup | undefined>;
}

/**
 * The reads of `steady import` over SDK clients with the default configuration.
 *
 * @example
 * const reads = importReads({ route53: clients.route53, codedeploy: clients.codedeploy }, adapters.codedeploy);
 */
export function importReads(clients: { route53: Route53Client; codedeploy: Pick<CodeDeployClient, 'send'> }, codedeploy: CodeDeployAdapter): ImportReads {
  const names = (service: string, operation: string, doing: string, fetch: (next?: string) => Promise<{ items: string[]; next?: string }>) =>
    awsCall(service, operation, doing, () => collectPages(fetch));
  return {
    /** Every hosted zone of the account, 100 a ListHostedZones page. */
    async allZones() {
      const zones = await awsCall('route53', 'ListHostedZones', 'listing the hosted zones of the account', () =>
        collectPages(async (marker: string | undefined) => {
          const out = await clients.route53.send(new ListHostedZonesCommand({ Marker: marker, MaxItems: ZONES_PER_PAGE }));
          return { items: out.HostedZones ?? [], next: out.IsTruncated ? out.NextMarker : undefined };
        }),
      );
      return zones.map(toHostedZone);
    },
    /** The deployment group that deploys ECS service `service` of `cluster`, through every application and group; undefined when none does. */
    async groupOfService(cluster, service) {
      const applications = await names('codedeploy', 'ListApplications', 'listing CodeDeploy applications', async (nextToken) => {
        const out = await clients.codedeploy.send(new ListApplicationsCommand({ nextToken }));
        return { items: out.applications ?? [], next: out.nextToken };
      });
      for (const application of applications) {
        const groups = await names('codedeploy', 'ListDeploymentGroups', `listing deployment groups of CodeDeploy application ${application}`, async (nextToken) => {
          const out = await clients.codedeploy.send(new ListDeploymentGroupsCommand({ applicationName: application, nextToken }));
          return { items: out.deploymentGroups ?? [], next: out.nextToken };
        });
        for (const name of groups) {
          const found = await codedeploy.deploymentGroup(application, name);
          if ('group' in found && found.group.ecsServices.some((s) => s.serviceName === service && (s.clusterName === cluster || s.clusterName.endsWith(`/${cluster}`)))) return found.group;
        }
      }
      return undefined;
    },
  };
}
