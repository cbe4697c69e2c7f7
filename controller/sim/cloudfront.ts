import {
  CloudFrontServiceException,
  IllegalUpdate,
  InconsistentQuantities,
  InvalidArgument,
  InvalidErrorCode,
  InvalidIfMatchVersion,
  InvalidRelativePath,
  InvalidResponseCode,
  InvalidTagging,
  NoSuchDistribution,
  NoSuchOrigin,
  NoSuchResource,
  PreconditionFailed,
  type CustomErrorResponse,
  type Distribution,
  type DistributionConfig,
  type DistributionSummary,
  type GetDistributionConfigRequest,
  type GetDistributionRequest,
  type ListDistributionsRequest,
  type ListTagsForResourceRequest,
  type Origin,
  type Tag,
  type TagResourceRequest,
  type UntagResourceRequest,
  type UpdateDistributionRequest,
} from '@aws-sdk/client-cloudfront';
import type { SimAccount, SimService } from './account.js';
import { awsError, unmodelledError } from './errors.js';
import { page } from './paging.js';
import { SEEDED_AGE_MS, upperAlnum } from './support.js';

/** One origin of a fixture's distribution: an S3 bucket (through origin access control) or a custom origin. */
export interface OriginFixture {
  id: string;
  /** `<bucket>.s3.<region>.amazonaws.com` makes an S3 origin; anything else a custom (HTTPS) origin. */
  domainName: string;
  /** The origin access control an S3 origin is reached through (`E...`). */
  originAccessControlId?: string;
  path?: string;
}

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
  /** Domain of the single origin (id `origin`) when `origins` is not given; default `origin.example.com`. */
  origin?: string;
  /** The origins, in order. */
  origins?: OriginFixture[];
  /** The default cache behaviour's origin; default the first origin. */
  defaultOrigin?: string;
  /** Cache behaviours besides the default one, in precedence order. */
  behaviors?: { pathPattern: string; origin: string }[];
  customErrorResponses?: { errorCode: number; pagePath?: string; responseCode?: string; cachingMinTtl?: number }[];
  defaultRootObject?: string;
  comment?: string;
  tags?: Record<string, string>;
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

/** How long a configuration change takes to deploy (`InProgress` -> `Deployed`). */
export interface CloudFrontTiming {
  deployMs: number;
}

/** Real distributions take minutes to deploy a change (AWS says "typically within five minutes"). */
export const DEFAULT_CLOUDFRONT_TIMING: Readonly<CloudFrontTiming> = { deployMs: 90_000 };

/**
 * Requests per second the simulated CloudFront allows when quotas are enforced. AWS publishes no
 * control-plane request rate for CloudFront (its quotas page lists resource counts only); these
 * are assumptions (**unconfirmed**), low on purpose, so that a pass is shown to call the mutating
 * operations sparingly. Throttled calls fail with `Throttling` (HTTP 400), which the SDK retries.
 */
export const CLOUDFRONT_ASSUMED_RATES: Readonly<Record<string, { perSecond: number; burst: number }>> = {
  GetDistribution: { perSecond: 10, burst: 20 },
  GetDistributionConfig: { perSecond: 10, burst: 20 },
  ListDistributions: { perSecond: 10, burst: 20 },
  ListTagsForResource: { perSecond: 10, burst: 20 },
  UpdateDistribution: { perSecond: 2, burst: 5 },
  TagResource: { perSecond: 2, burst: 5 },
  UntagResource: { perSecond: 2, burst: 5 },
};

/** Tags a distribution may carry (CloudFront quotas: "Tags that can be added to a distribution"). */
export const MAX_DISTRIBUTION_TAGS = 50;
/** CloudFront's tag key/value pattern (the API reference's `TagKey`/`TagValue`). */
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** ErrorCode values a custom error response may name (CloudFront Developer Guide, "Custom error responses"). */
const ERROR_CODES = new Set([400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]);
const RESPONSE_CODES = new Set(['200', '400', '403', '404', '405', '414', '416', '500', '501', '502', '503', '504']);

interface DistributionState {
  id: string;
  arn: string;
  etag: string;
  domainName: string;
  /** The configuration exactly as last set (GetDistributionConfig returns it as it is). */
  config: DistributionConfig;
  /** The configuration is `InProgress` until then, `Deployed` from then on. */
  deployedAt: number;
  lastModified: number;
  createdAt: number;
  tags: Tag[];
}

type Out<T> = T & { ETag?: string };

/**
 * The simulated CloudFront: distributions with their whole configuration, read with
 * GetDistribution / GetDistributionConfig / ListDistributions and replaced whole by
 * UpdateDistribution, which needs the ETag of the configuration it replaces (`IfMatch`); every
 * change gets a new ETag and is `InProgress` for `timing.deployMs`, then `Deployed`. Distributions
 * carry tags (TagResource, UntagResource, ListTagsForResource). Distributions are created by
 * fixtures and scenarios, not through the API.
 */
export class CloudFrontSim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    GetDistribution: (i: GetDistributionRequest) => this.#get(i),
    GetDistributionConfig: (i: GetDistributionConfigRequest) => this.#getConfig(i),
    ListDistributions: (i: ListDistributionsRequest) => this.#list(i),
    UpdateDistribution: (i: UpdateDistributionRequest) => this.#update(i),
    TagResource: (i: TagResourceRequest) => this.#tag(i),
    UntagResource: (i: UntagResourceRequest) => this.#untag(i),
    ListTagsForResource: (i: ListTagsForResourceRequest) => this.#listTags(i),
  };

  timing: CloudFrontTiming = { ...DEFAULT_CLOUDFRONT_TIMING };

  #distributions = new Map<string, DistributionState>();
  /** Edits that land just before the next UpdateDistribution of a distribution (see `interleave`). */
  #interleaved = new Map<string, ((config: DistributionConfig) => void)[]>();

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

  /** Applies CloudFront's default request rates (`CLOUDFRONT_ASSUMED_RATES`) through the account's faults. */
  enforceQuotas(): void {
    for (const [operation, rate] of Object.entries(CLOUDFRONT_ASSUMED_RATES)) {
      this.account.faults.rateLimit({ service: 'cloudfront', operation, perSecond: rate.perSecond, burst: rate.burst });
    }
  }

  /** A distribution's configuration as stored (a copy), for tests; undefined when it does not exist. */
  config(id: string): DistributionConfig | undefined {
    const d = this.#distributions.get(id);
    return d && structuredClone(d.config);
  }

  /** A distribution's tags as a record, for tests. */
  tags(id: string): Record<string, string> {
    return Object.fromEntries((this.#distributions.get(id)?.tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
  }

  /**
   * Scenario helper: a person edits the distribution in the console (a new ETag, `InProgress`), as
   * UpdateDistribution would, without its checks.
   */
  editByHand(id: string, edit: (config: DistributionConfig) => void): void {
    const d = this.#distributions.get(id);
    if (!d) throw new Error(`no distribution ${id}`);
    edit(d.config);
    this.#changed(d);
  }

  /**
   * Scenario helper: `edit` lands (as a hand edit) just before the next UpdateDistribution of the
   * distribution is answered: someone's change between a caller's GetDistributionConfig and its
   * update, which then meets PreconditionFailed.
   */
  interleave(id: string, edit: (config: DistributionConfig) => void): void {
    this.#interleaved.set(id, [...(this.#interleaved.get(id) ?? []), edit]);
  }

  #create(spec: DistributionFixture, createdAt: number): DistributionState {
    const id = spec.id ?? `E${upperAlnum(() => this.account.random(), 13)}`;
    if (this.#distributions.has(id)) throw new Error(`a distribution ${id} already exists`);
    const d: DistributionState = {
      id,
      arn: `arn:aws:cloudfront::${this.account.accountId}:distribution/${id}`,
      etag: this.#newEtag(),
      domainName: spec.domainName ?? `d${this.account.hex(13)}.cloudfront.net`,
      config: fixtureConfig(id, spec),
      deployedAt: createdAt,
      lastModified: createdAt,
      createdAt,
      tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    };
    this.#distributions.set(id, d);
    return d;
  }

  #newEtag(): string {
    return `E${upperAlnum(() => this.account.random(), 13)}`;
  }

  #changed(d: DistributionState): void {
    const now = this.account.clock.now();
    d.etag = this.#newEtag();
    d.lastModified = now;
    d.deployedAt = now + this.timing.deployMs;
  }

  #status(d: DistributionState): 'Deployed' | 'InProgress' {
    return this.account.clock.now() >= d.deployedAt ? 'Deployed' : 'InProgress';
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

  #find(id: string | undefined): DistributionState {
    const d = this.#distributions.get(id ?? '');
    if (!d || !this.account.visible('cloudfront', d.createdAt)) {
      throw awsError(NoSuchDistribution, 'The specified distribution does not exist.', {}, 404);
    }
    return d;
  }

  #get(input: GetDistributionRequest): Out<{ Distribution: Distribution }> {
    const d = this.#find(input.Id);
    return { Distribution: this.#out(d), ETag: d.etag };
  }

  #getConfig(input: GetDistributionConfigRequest): Out<{ DistributionConfig: DistributionConfig }> {
    const d = this.#find(input.Id);
    return { DistributionConfig: structuredClone(d.config), ETag: d.etag };
  }

  #update(input: UpdateDistributionRequest): Out<{ Distribution: Distribution }> {
    const d = this.#find(input.Id);
    for (const edit of this.#interleaved.get(d.id) ?? []) {
      edit(d.config);
      this.#changed(d);
    }
    this.#interleaved.delete(d.id);
    if (!input.IfMatch) throw awsError(InvalidIfMatchVersion, 'The If-Match version is missing or not valid for the resource.');
    if (input.IfMatch !== d.etag) {
      throw awsError(PreconditionFailed, "The request failed because it didn't meet the preconditions in one or more request-header fields.", {}, 412);
    }
    const config = input.DistributionConfig;
    if (!config) throw awsError(InvalidArgument, 'The DistributionConfig is missing.');
    validateConfig(config, d.config);
    d.config = structuredClone(config);
    this.#changed(d);
    return { Distribution: this.#out(d), ETag: d.etag };
  }

  #taggable(resource: string | undefined): DistributionState {
    const m = /^arn:aws[a-z-]*:cloudfront::(\d{12}):distribution\/([A-Z0-9]+)$/.exec(resource ?? '');
    if (!m) throw awsError(InvalidArgument, `The resource ARN ${resource ?? ''} is not valid.`);
    const d = this.#distributions.get(m[2]);
    if (!d || m[1] !== this.account.accountId) throw awsError(NoSuchResource, 'The specified resource does not exist.', {}, 404);
    return d;
  }

  #tag(input: TagResourceRequest): Record<string, never> {
    const d = this.#taggable(input.Resource);
    const items = input.Tags?.Items ?? [];
    for (const t of items) checkTag(t);
    const merged = new Map(d.tags.map((t) => [t.Key!, t.Value ?? '']));
    for (const t of items) merged.set(t.Key!, t.Value ?? '');
    if (merged.size > MAX_DISTRIBUTION_TAGS) throw awsError(InvalidTagging, `A distribution can have at most ${MAX_DISTRIBUTION_TAGS} tags.`);
    d.tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
    return {};
  }

  #untag(input: UntagResourceRequest): Record<string, never> {
    const d = this.#taggable(input.Resource);
    const keys = new Set(input.TagKeys?.Items ?? []);
    d.tags = d.tags.filter((t) => !keys.has(t.Key!));
    return {};
  }

  #listTags(input: ListTagsForResourceRequest) {
    const d = this.#taggable(input.Resource);
    return { Tags: { Items: structuredClone(d.tags) } };
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

  #out(d: DistributionState): Distribution {
    return {
      Id: d.id,
      ARN: d.arn,
      Status: this.#status(d),
      LastModifiedTime: new Date(d.lastModified),
      InProgressInvalidationBatches: 0,
      DomainName: d.domainName,
      ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
      ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
      DistributionConfig: structuredClone(d.config),
    };
  }

  #summary(d: DistributionState): DistributionSummary {
    const c = d.config;
    return {
      Id: d.id,
      ARN: d.arn,
      ETag: d.etag,
      Status: this.#status(d),
      LastModifiedTime: new Date(d.lastModified),
      DomainName: d.domainName,
      Aliases: structuredClone(c.Aliases),
      Origins: structuredClone(c.Origins),
      DefaultCacheBehavior: structuredClone(c.DefaultCacheBehavior),
      CacheBehaviors: structuredClone(c.CacheBehaviors ?? { Quantity: 0 }),
      CustomErrorResponses: structuredClone(c.CustomErrorResponses ?? { Quantity: 0 }),
      Comment: c.Comment,
      PriceClass: c.PriceClass ?? 'PriceClass_All',
      Enabled: c.Enabled,
      ViewerCertificate: structuredClone(c.ViewerCertificate ?? { CloudFrontDefaultCertificate: true }),
      Restrictions: structuredClone(c.Restrictions ?? { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } }),
      WebACLId: c.WebACLId ?? '',
      HttpVersion: c.HttpVersion ?? 'http2',
      IsIPV6Enabled: c.IsIPV6Enabled ?? true,
      Staging: c.Staging ?? false,
    } as DistributionSummary;
  }
}

// ------------------------------------------------------------------------------ configuration

const list = <T>(items: T[]) => ({ Quantity: items.length, ...(items.length ? { Items: items } : {}) });

function s3Origin(o: OriginFixture): boolean {
  return /\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/.test(o.domainName);
}

function originOf(o: OriginFixture): Origin {
  return {
    Id: o.id,
    DomainName: o.domainName,
    OriginPath: o.path ?? '',
    CustomHeaders: { Quantity: 0 },
    ...(s3Origin(o)
      ? { S3OriginConfig: { OriginAccessIdentity: '', OriginReadTimeout: 30 } }
      : {
          CustomOriginConfig: {
            HTTPPort: 80,
            HTTPSPort: 443,
            OriginProtocolPolicy: 'https-only',
            OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
            OriginReadTimeout: 30,
            OriginKeepaliveTimeout: 5,
          },
        }),
    ConnectionAttempts: 3,
    ConnectionTimeout: 10,
    OriginShield: { Enabled: false },
    OriginAccessControlId: o.originAccessControlId ?? '',
  };
}

/** A cache behaviour as the console makes one: HTTPS, GET/HEAD, compressed, the managed CachingOptimized policy. */
function behaviour(targetOriginId: string) {
  return {
    TargetOriginId: targetOriginId,
    TrustedSigners: { Enabled: false, Quantity: 0 },
    TrustedKeyGroups: { Enabled: false, Quantity: 0 },
    ViewerProtocolPolicy: 'redirect-to-https' as const,
    AllowedMethods: { Quantity: 2, Items: ['HEAD' as const, 'GET' as const], CachedMethods: { Quantity: 2, Items: ['HEAD' as const, 'GET' as const] } },
    SmoothStreaming: false,
    Compress: true,
    LambdaFunctionAssociations: { Quantity: 0 },
    FunctionAssociations: { Quantity: 0 },
    FieldLevelEncryptionId: '',
    CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  };
}

/** The whole DistributionConfig of a fixture's distribution, in the shape GetDistributionConfig returns. */
function fixtureConfig(id: string, spec: DistributionFixture): DistributionConfig {
  const origins = spec.origins ?? [{ id: 'origin', domainName: spec.origin ?? 'origin.example.com' }];
  if (origins.length === 0) throw new Error(`distribution ${id}: at least one origin`);
  const ids = new Set(origins.map((o) => o.id));
  const target = (origin: string, where: string) => {
    if (!ids.has(origin)) throw new Error(`distribution ${id}: ${where} names unknown origin ${origin}`);
    return origin;
  };
  const errorResponses: CustomErrorResponse[] = (spec.customErrorResponses ?? []).map((e) => ({
    ErrorCode: e.errorCode,
    ResponsePagePath: e.pagePath ?? '',
    ResponseCode: e.responseCode ?? (e.pagePath ? String(e.errorCode) : ''),
    ErrorCachingMinTTL: e.cachingMinTtl ?? 10,
  }));
  return {
    CallerReference: `steady-sim-${id}`,
    Aliases: list([...(spec.aliases ?? [])]),
    DefaultRootObject: spec.defaultRootObject ?? '',
    Origins: { Quantity: origins.length, Items: origins.map(originOf) },
    OriginGroups: { Quantity: 0 },
    DefaultCacheBehavior: behaviour(target(spec.defaultOrigin ?? origins[0].id, 'the default behaviour')),
    CacheBehaviors: list((spec.behaviors ?? []).map((b) => ({ PathPattern: b.pathPattern, ...behaviour(target(b.origin, `behaviour ${b.pathPattern}`)) }))),
    CustomErrorResponses: list(errorResponses),
    Comment: spec.comment ?? '',
    Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    PriceClass: 'PriceClass_All',
    Enabled: spec.enabled ?? true,
    ViewerCertificate: { CloudFrontDefaultCertificate: true, SSLSupportMethod: 'vip', MinimumProtocolVersion: 'TLSv1', CertificateSource: 'cloudfront' },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    ContinuousDeploymentPolicyId: '',
    Staging: false,
  };
}

/** Every `{ Quantity, Items }` list of a configuration must say how many items it has. */
function checkQuantities(value: unknown, path: string): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkQuantities(v, `${path}[${i}]`));
    return;
  }
  const o = value as Record<string, unknown>;
  if (typeof o.Quantity === 'number' && (o.Items !== undefined || o.Quantity !== 0)) {
    const n = Array.isArray(o.Items) ? o.Items.length : 0;
    if (n !== o.Quantity) throw awsError(InconsistentQuantities, `The value of Quantity and the size of Items don't match (${path}: Quantity ${o.Quantity}, ${n} items).`);
  }
  for (const [k, v] of Object.entries(o)) checkQuantities(v, path ? `${path}.${k}` : k);
}

/** What UpdateDistribution checks before it replaces a configuration (a subset of CloudFront's checks). */
function validateConfig(config: DistributionConfig, current: DistributionConfig): void {
  if (config.CallerReference !== current.CallerReference) throw awsError(IllegalUpdate, 'The update contains modifications that are not allowed: CallerReference cannot be changed.');
  for (const field of ['Origins', 'DefaultCacheBehavior', 'Comment', 'Enabled'] as const) {
    if (config[field] === undefined) throw awsError(InvalidArgument, `The parameter ${field} is required.`);
  }
  checkQuantities(config, '');
  const origins = new Set((config.Origins?.Items ?? []).map((o) => o.Id));
  if (origins.size === 0) throw awsError(InvalidArgument, 'The parameter Origins must contain at least one origin.');
  const targets = [config.DefaultCacheBehavior!.TargetOriginId, ...(config.CacheBehaviors?.Items ?? []).map((b) => b.TargetOriginId)];
  for (const t of targets) if (!origins.has(t)) throw awsError(NoSuchOrigin, `No origin exists with the specified Origin Id: ${t}.`, {}, 404);
  const codes = new Set<number>();
  for (const e of config.CustomErrorResponses?.Items ?? []) {
    if (e.ErrorCode === undefined || !ERROR_CODES.has(e.ErrorCode)) throw awsError(InvalidErrorCode, `The error code ${e.ErrorCode} is not valid for a custom error response.`);
    if (codes.has(e.ErrorCode)) throw awsError(InvalidArgument, `Your request contains more than one custom error response for error code ${e.ErrorCode}.`);
    codes.add(e.ErrorCode);
    if (e.ResponseCode && !RESPONSE_CODES.has(e.ResponseCode)) throw awsError(InvalidResponseCode, `The response code ${e.ResponseCode} is not valid.`);
    if (e.ResponsePagePath && !e.ResponsePagePath.startsWith('/')) throw awsError(InvalidRelativePath, `The relative path ${e.ResponsePagePath} does not begin with a slash (/).`);
    if (!!e.ResponsePagePath !== !!e.ResponseCode) {
      throw awsError(InvalidArgument, `The custom error response for ${e.ErrorCode} must specify both ResponsePagePath and ResponseCode, or neither.`);
    }
    if (e.ErrorCachingMinTTL !== undefined && (!Number.isInteger(e.ErrorCachingMinTTL) || e.ErrorCachingMinTTL < 0)) {
      throw awsError(InvalidArgument, `ErrorCachingMinTTL must be a whole number of seconds, at least 0 (got ${e.ErrorCachingMinTTL}).`);
    }
  }
}

function checkTag(t: Tag): void {
  const key = t.Key ?? '';
  const value = t.Value ?? '';
  if (key.length < 1 || key.length > 128 || !TAG_PATTERN.test(key)) throw awsError(InvalidTagging, `The tag key "${key}" is not valid.`);
  if (key.toLowerCase().startsWith('aws:')) throw awsError(InvalidTagging, 'Tag keys starting with aws: are reserved for AWS use.');
  if (value.length > 256 || !TAG_PATTERN.test(value)) throw awsError(InvalidTagging, `The value of tag ${key} is not valid (at most 256 letters, digits, spaces and _ . : / = + - @).`);
}
