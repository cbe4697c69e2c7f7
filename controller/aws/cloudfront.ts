// Types only: each call imports the SDK's package (`await import`; Node loads it once), so the
// Lambda's cold start does not load it (the bundle puts it in a chunk of its own).
import type { CloudFrontClient, Distribution as SdkDistribution, DistributionConfig } from '@aws-sdk/client-cloudfront';
import { AwsCallError, awsCall } from '../errors.js';
import { LazyClient } from './lazy-client.js';
import { normaliseDnsName, type Distribution, type DistributionDetail, type Tags } from '../model/aws.js';

/** How often a change is tried on a fresh configuration when someone else changed it in between (PreconditionFailed). */
export const UPDATE_ATTEMPTS = 3;

/** What an update did: the new ETag and status, how many tries it took, and the configuration sent. */
export interface DistributionUpdate {
  etag: string;
  status: string;
  attempts: number;
  config: Record<string, any>;
}

/**
 * steady's use of CloudFront: reading the distribution an AliasRecord targets, to alias its
 * domain name (in hosted zone CLOUDFRONT_HOSTED_ZONE_ID); and, for maintenance, reading a
 * distribution's whole configuration and tags, changing the configuration the one way CloudFront
 * allows (GetDistributionConfig, then UpdateDistribution of the whole configuration with its ETag
 * as `IfMatch`) and tagging it.
 *
 * @example
 * const cf = new CloudFrontAdapter(clients.cloudfront);
 * const d = await cf.distribution('E2QWRUHAPOMQZL');
 */
export class CloudFrontAdapter {
  constructor(
    private readonly client: LazyClient<CloudFrontClient> = new LazyClient('cloudfront', async () => new (await import('@aws-sdk/client-cloudfront')).CloudFrontClient({ region: 'us-east-1', retryMode: 'adaptive' })),
  ) {}

  /** A distribution by id, or undefined when it does not exist (NoSuchDistribution). */
  async distribution(id: string): Promise<Distribution | undefined> {
    const { GetDistributionCommand } = await import('@aws-sdk/client-cloudfront');
    try {
      const out = await awsCall('cloudfront', 'GetDistribution', `reading CloudFront distribution ${id}`, () =>
        this.client.send(new GetDistributionCommand({ Id: id })),
      );
      return toDistribution(out.Distribution!);
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'NoSuchDistribution') return undefined;
      throw err;
    }
  }

  /** A distribution with its whole configuration, ETag and tags (GetDistribution, ListTagsForResource); undefined when it does not exist. */
  async distributionDetail(id: string): Promise<DistributionDetail | undefined> {
    const { GetDistributionCommand, ListTagsForResourceCommand } = await import('@aws-sdk/client-cloudfront');
    let out;
    try {
      out = await awsCall('cloudfront', 'GetDistribution', `reading CloudFront distribution ${id}`, () => this.client.send(new GetDistributionCommand({ Id: id })));
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'NoSuchDistribution') return undefined;
      throw err;
    }
    const d = out.Distribution!;
    const summary = toDistribution(d);
    const tags = await awsCall('cloudfront', 'ListTagsForResource', `reading the tags of CloudFront distribution ${id}`, () =>
      this.client.send(new ListTagsForResourceCommand({ Resource: d.ARN })),
    );
    return {
      ...summary,
      arn: d.ARN!,
      etag: out.ETag!,
      config: structuredClone(d.DistributionConfig ?? {}) as Record<string, any>,
      tags: Object.fromEntries((tags.Tags?.Items ?? []).map((t) => [t.Key!, t.Value ?? ''])),
    };
  }

  /** The deployment status of a distribution (`InProgress`, `Deployed`). */
  async status(id: string): Promise<string> {
    const { GetDistributionCommand } = await import('@aws-sdk/client-cloudfront');
    const out = await awsCall('cloudfront', 'GetDistribution', `reading the status of CloudFront distribution ${id}`, () => this.client.send(new GetDistributionCommand({ Id: id })));
    return out.Distribution!.Status!;
  }

  /**
   * Changes a distribution's configuration: reads it (GetDistributionConfig) and sends back what
   * `change` makes of it (UpdateDistribution with the ETag read). When someone changed the
   * distribution in between (PreconditionFailed), `change` is applied to the fresh configuration,
   * up to UPDATE_ATTEMPTS times. `change` returns undefined when there is nothing to change: then
   * nothing is sent. `change` may do work of its own first (write a record of what it changes). `change` must start from the configuration it is given, never from an
   * earlier one: whatever else the distribution holds travels back as it is.
   */
  async updateConfig(
    id: string,
    change: (config: Record<string, any>) => Record<string, any> | undefined | Promise<Record<string, any> | undefined>,
  ): Promise<DistributionUpdate | undefined> {
    const { GetDistributionConfigCommand, UpdateDistributionCommand } = await import('@aws-sdk/client-cloudfront');
    for (let attempt = 1; ; attempt++) {
      const read = await awsCall('cloudfront', 'GetDistributionConfig', `reading the configuration of CloudFront distribution ${id}`, () =>
        this.client.send(new GetDistributionConfigCommand({ Id: id })),
      );
      const config = await change(structuredClone(read.DistributionConfig ?? {}) as Record<string, any>);
      if (!config) return undefined;
      try {
        const out = await awsCall('cloudfront', 'UpdateDistribution', `updating CloudFront distribution ${id}`, () =>
          this.client.send(new UpdateDistributionCommand({ Id: id, IfMatch: read.ETag, DistributionConfig: config as DistributionConfig })),
        );
        return { etag: out.ETag!, status: out.Distribution!.Status!, attempts: attempt, config };
      } catch (err) {
        if (!(err instanceof AwsCallError) || err.awsName !== 'PreconditionFailed' || attempt >= UPDATE_ATTEMPTS) throw err;
      }
    }
  }

  /** Adds or replaces tags on a distribution (by ARN). */
  async tag(arn: string, tags: Tags): Promise<void> {
    const { TagResourceCommand } = await import('@aws-sdk/client-cloudfront');
    await awsCall('cloudfront', 'TagResource', `tagging CloudFront distribution ${arn}`, () =>
      this.client.send(new TagResourceCommand({ Resource: arn, Tags: { Items: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } })),
    );
  }

  /** Removes tags from a distribution (by ARN). */
  async untag(arn: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const { UntagResourceCommand } = await import('@aws-sdk/client-cloudfront');
    await awsCall('cloudfront', 'UntagResource', `removing tags ${keys.join(', ')} from CloudFront distribution ${arn}`, () =>
      this.client.send(new UntagResourceCommand({ Resource: arn, TagKeys: { Items: keys } })),
    );
  }
}

function toDistribution(d: SdkDistribution): Distribution {
  return {
    id: d.Id!,
    domainName: normaliseDnsName(d.DomainName!),
    status: d.Status!,
    enabled: d.DistributionConfig?.Enabled ?? false,
    aliases: [...(d.DistributionConfig?.Aliases?.Items ?? [])].map(normaliseDnsName).sort(),
  };
}
