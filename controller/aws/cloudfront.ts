import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { AwsCallError, awsCall } from '../errors.js';
import { normaliseDnsName, type Distribution } from '../model/aws.js';

/**
 * steady's use of CloudFront: reading the distribution an AliasRecord targets, to alias its
 * domain name (in hosted zone CLOUDFRONT_HOSTED_ZONE_ID).
 *
 * @example
 * const cf = new CloudFrontAdapter(clients.cloudfront);
 * const d = await cf.distribution('E2QWRUHAPOMQZL');
 */
export class CloudFrontAdapter {
  constructor(private readonly client: CloudFrontClient = new CloudFrontClient({ region: 'us-east-1', retryMode: 'adaptive' })) {}

  /** A distribution by id, or undefined when it does not exist (NoSuchDistribution). */
  async distribution(id: string): Promise<Distribution | undefined> {
    try {
      const out = await awsCall('cloudfront', 'GetDistribution', `reading CloudFront distribution ${id}`, () =>
        this.client.send(new GetDistributionCommand({ Id: id })),
      );
      const d = out.Distribution!;
      return {
        id: d.Id!,
        domainName: normaliseDnsName(d.DomainName!),
        status: d.Status!,
        enabled: d.DistributionConfig?.Enabled ?? false,
        aliases: [...(d.DistributionConfig?.Aliases?.Items ?? [])].map(normaliseDnsName).sort(),
      };
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'NoSuchDistribution') return undefined;
      throw err;
    }
  }
}
