import {
  CloudFrontServiceException,
  NoSuchDistribution,
  type Distribution,
  type DistributionSummary,
  type GetDistributionRequest,
  type ListDistributionsRequest,
} from '@aws-sdk/client-cloudfront';
import type { SimAccount, SimService } from './account.js';
import { awsError, unmodelledError } from './errors.js';
import { page } from './paging.js';
import { SEEDED_AGE_MS, upperAlnum } from './support.js';

/** A distribution as a fixture (or a scenario) declares it. Everything is optional. */
export interface DistributionFixture {
  /** `E` + upper-case letters and digits; generated when omitted. */
  id?: string;
  /** `d<hex>.cloudfront.net`; generated when omitted. */
  domainName?: string;
  /** Alternate domain names (CNAMEs), e.g. `www.example.com`. */
  aliases?: string[];
  /** Default true. */
  enabled?: boolean;
  /** Domain of the single origin; default `origin.example.com`. */
  origin?: string;
  comment?: string;
}

/**
 * Starting state of the simulated CloudFront (see fixture.ts).
 *
 * @example
 * // YAML
 * cloudfront:
 *   distributions:
 *     - { id: E2QWRUHAPOMQZL, aliases: [www.example.com] }
 */
export interface CloudFrontFixture {
  distributions?: DistributionFixture[];
}

interface DistributionState {
  id: string;
  arn: string;
  etag: string;
  domainName: string;
  aliases: string[];
  enabled: boolean;
  origin: string;
  comment: string;
  createdAt: number;
}

/**
 * The simulated CloudFront: just enough for Route 53 alias targets and steady's adapter
 * (GetDistribution, ListDistributions). Distributions are created by fixtures and scenarios and
 * are `Deployed` at once.
 */
export class CloudFrontSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    GetDistribution: (i: GetDistributionRequest) => this.#get(i),
    ListDistributions: (i: ListDistributionsRequest) => this.#list(i),
  };

  #distributions = new Map<string, DistributionState>();

  constructor(readonly account: SimAccount) {}

  seed(fixture: CloudFrontFixture): void {
    // Seeded distributions already existed when the scenario starts (see SEEDED_AGE_MS).
    for (const d of fixture.distributions ?? []) this.#create(d, this.account.clock.now() - SEEDED_AGE_MS);
  }

  /**
   * Scenario helper: creates a distribution (already `Deployed`).
   *
   * @returns the distribution as GetDistribution shows it.
   */
  createDistribution(spec: DistributionFixture = {}): Distribution {
    return this.#out(this.#create(spec, this.account.clock.now()));
  }

  #create(spec: DistributionFixture, createdAt: number): DistributionState {
    const id = spec.id ?? `E${upperAlnum(() => this.account.random(), 13)}`;
    if (this.#distributions.has(id)) throw new Error(`a distribution ${id} already exists`);
    const d: DistributionState = {
      id,
      arn: `arn:aws:cloudfront::${this.account.accountId}:distribution/${id}`,
      etag: `E${upperAlnum(() => this.account.random(), 13)}`,
      domainName: spec.domainName ?? `d${this.account.hex(13)}.cloudfront.net`,
      aliases: [...(spec.aliases ?? [])],
      enabled: spec.enabled ?? true,
      origin: spec.origin ?? 'origin.example.com',
      comment: spec.comment ?? '',
      createdAt,
    };
    this.#distributions.set(id, d);
    return d;
  }

  /** A distribution's domain name by id (fixtures refer to distributions by id). */
  findById(id: string): { id: string; domainName: string } | undefined {
    const d = this.#distributions.get(id);
    return d && { id: d.id, domainName: d.domainName };
  }

  /** The distribution a Route 53 alias DNS name points at (case-insensitive, trailing dot optional). */
  findByDomainName(dnsName: string): { id: string; domainName: string } | undefined {
    const want = dnsName.toLowerCase().replace(/\.$/, '');
    for (const d of this.#distributions.values()) if (d.domainName === want) return { id: d.id, domainName: d.domainName };
    return undefined;
  }

  #get(input: GetDistributionRequest): { Distribution: Distribution; ETag: string } {
    const d = this.#distributions.get(input.Id ?? '');
    if (!d || !this.account.visible('cloudfront', d.createdAt)) {
      throw awsError(NoSuchDistribution, 'The specified distribution does not exist.', {}, 404);
    }
    return { Distribution: this.#out(d), ETag: d.etag };
  }

  #list(input: ListDistributionsRequest) {
    const maxItems = input.MaxItems ?? 100;
    const all = [...this.#distributions.values()].filter((d) => this.account.visible('cloudfront', d.createdAt));
    const { items, next } = page(all, { size: maxItems, token: input.Marker || undefined }, () =>
      unmodelledError(CloudFrontServiceException, 'InvalidArgument', 'The marker is not valid.'),
    );
    return {
      DistributionList: {
        Marker: input.Marker ?? '',
        ...(next ? { NextMarker: next } : {}),
        MaxItems: maxItems,
        IsTruncated: next !== undefined,
        Quantity: items.length,
        Items: items.map((d) => this.#summary(d)),
      },
    };
  }

  #config(d: DistributionState) {
    return {
      Aliases: { Quantity: d.aliases.length, ...(d.aliases.length ? { Items: [...d.aliases] } : {}) },
      Origins: { Quantity: 1, Items: [{ Id: 'origin', DomainName: d.origin, OriginPath: '' }] },
      DefaultCacheBehavior: { TargetOriginId: 'origin', ViewerProtocolPolicy: 'redirect-to-https' as const },
      Comment: d.comment,
      Enabled: d.enabled,
    };
  }

  #out(d: DistributionState): Distribution {
    return {
      Id: d.id,
      ARN: d.arn,
      Status: 'Deployed',
      LastModifiedTime: new Date(d.createdAt),
      InProgressInvalidationBatches: 0,
      DomainName: d.domainName,
      DistributionConfig: { CallerReference: `steady-sim-${d.id}`, ...this.#config(d) },
    };
  }

  #summary(d: DistributionState): DistributionSummary {
    return {
      Id: d.id,
      ARN: d.arn,
      ETag: d.etag,
      Status: 'Deployed',
      LastModifiedTime: new Date(d.createdAt),
      DomainName: d.domainName,
      ...this.#config(d),
      CacheBehaviors: { Quantity: 0 },
      CustomErrorResponses: { Quantity: 0 },
      PriceClass: 'PriceClass_All',
      ViewerCertificate: { CloudFrontDefaultCertificate: true },
      Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
      WebACLId: '',
      HttpVersion: 'http2',
      IsIPV6Enabled: true,
      Staging: false,
    };
  }
}
