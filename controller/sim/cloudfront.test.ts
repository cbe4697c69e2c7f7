import {
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';
import { CLOUDFRONT_ASSUMED_RATES } from './cloudfront.js';

function sim() {
  const account = new SimAccount({ start: 0 }).seed({
    cloudfront: { distributions: [{ id: 'E2QWRUHAPOMQZL', domainName: 'd111111abcdef8.cloudfront.net', aliases: ['www.example.com'] }] },
  });
  return { account, cf: account.clients().cloudfront };
}

describe('simulated CloudFront', () => {
  it('gets a distribution with its domain name, status and aliases', async () => {
    const { cf } = sim();

    const out = await cf.send(new GetDistributionCommand({ Id: 'E2QWRUHAPOMQZL' }));

    expect(out.Distribution).toMatchObject({
      Id: 'E2QWRUHAPOMQZL',
      ARN: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL',
      DomainName: 'd111111abcdef8.cloudfront.net',
      Status: 'Deployed',
      DistributionConfig: { Enabled: true, Aliases: { Quantity: 1, Items: ['www.example.com'] } },
    });
    expect(out.ETag).toMatch(/^E[A-Z0-9]{13}$/);
  });

  it('answers an unknown id with NoSuchDistribution and HTTP 404', async () => {
    const { cf } = sim();

    await expect(cf.send(new GetDistributionCommand({ Id: 'ENOPE' }))).rejects.toMatchObject({
      name: 'NoSuchDistribution',
      message: 'The specified distribution does not exist.',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('creates distributions for scenarios with generated ids and d<hex>.cloudfront.net names', () => {
    const { account } = sim();

    const d = account.cloudfront.createDistribution({ aliases: ['cdn.example.com'] });

    expect(d.Id).toMatch(/^E[A-Z0-9]{13}$/);
    expect(d.DomainName).toMatch(/^d[0-9a-f]{13}\.cloudfront\.net$/);
    expect(account.cloudfront.findByDomainName(`${d.DomainName!.toUpperCase()}.`)).toEqual({ id: d.Id, domainName: d.DomainName });
  });

  it('pages ListDistributions with Marker and NextMarker', async () => {
    const { account, cf } = sim();
    account.cloudfront.createDistribution();
    account.cloudfront.createDistribution();

    const first = await cf.send(new ListDistributionsCommand({ MaxItems: 2 }));
    const second = await cf.send(new ListDistributionsCommand({ MaxItems: 2, Marker: first.DistributionList!.NextMarker }));

    expect(first.DistributionList).toMatchObject({ IsTruncated: true, Quantity: 2, MaxItems: 2 });
    expect(second.DistributionList).toMatchObject({ IsTruncated: false, Quantity: 1 });
    expect(second.DistributionList!.NextMarker).toBeUndefined();
    expect(first.DistributionList!.Items![0].Id).toBe('E2QWRUHAPOMQZL');
  });
});

/** The seed's storefront: Next.js from one bucket, the maintenance page from another, both through OAC. */
function shop() {
  const account = new SimAccount({ start: 0 }).seed({
    cloudfront: {
      distributions: [
        {
          id: 'E2QWRUHAPOMQZL',
          aliases: ['example.com'],
          origins: [
            { id: 'shop-web', domainName: 'shop-web.s3.ap-northeast-1.amazonaws.com', originAccessControlId: 'E1OACWEB000001' },
            { id: 'shop-maintenance', domainName: 'shop-maintenance.s3.ap-northeast-1.amazonaws.com', originAccessControlId: 'E1OACWEB000001' },
          ],
          behaviors: [{ pathPattern: '/_next/static/*', origin: 'shop-web' }],
          customErrorResponses: [{ errorCode: 404, pagePath: '/404.html', responseCode: '404', cachingMinTtl: 60 }],
        },
      ],
    },
  });
  return { account, cf: account.clients().cloudfront };
}

const ARN = 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL';

describe('simulated CloudFront: configuration changes', () => {
  it('returns the whole configuration with its ETag: S3 origins through origin access control, behaviours, error responses', async () => {
    const { cf } = shop();

    const out = await cf.send(new GetDistributionConfigCommand({ Id: 'E2QWRUHAPOMQZL' }));

    expect(out.ETag).toMatch(/^E[A-Z0-9]{13}$/);
    expect(out.DistributionConfig!.Origins!.Items!.map((o) => [o.Id, o.DomainName, o.OriginAccessControlId, o.S3OriginConfig?.OriginAccessIdentity])).toEqual([
      ['shop-web', 'shop-web.s3.ap-northeast-1.amazonaws.com', 'E1OACWEB000001', ''],
      ['shop-maintenance', 'shop-maintenance.s3.ap-northeast-1.amazonaws.com', 'E1OACWEB000001', ''],
    ]);
    expect(out.DistributionConfig!.DefaultCacheBehavior!.TargetOriginId).toBe('shop-web');
    expect(out.DistributionConfig!.CacheBehaviors).toMatchObject({ Quantity: 1, Items: [{ PathPattern: '/_next/static/*', TargetOriginId: 'shop-web' }] });
    expect(out.DistributionConfig!.CustomErrorResponses).toEqual({ Quantity: 1, Items: [{ ErrorCode: 404, ResponsePagePath: '/404.html', ResponseCode: '404', ErrorCachingMinTTL: 60 }] });
  });

  it('replaces the configuration whole given the current ETag: a new ETag, InProgress until deployed, then Deployed', async () => {
    const { account, cf } = shop();
    const { DistributionConfig: config, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: 'E2QWRUHAPOMQZL' }));
    config!.DefaultCacheBehavior!.TargetOriginId = 'shop-maintenance';

    const out = await cf.send(new UpdateDistributionCommand({ Id: 'E2QWRUHAPOMQZL', IfMatch: ETag, DistributionConfig: config }));

    expect(out.ETag).not.toBe(ETag);
    expect(out.Distribution!.Status).toBe('InProgress');
    expect(account.cloudfront.config('E2QWRUHAPOMQZL')).toEqual(config);
    account.clock.advance(account.cloudfront.timing.deployMs - 1);
    expect((await cf.send(new GetDistributionCommand({ Id: 'E2QWRUHAPOMQZL' }))).Distribution!.Status).toBe('InProgress');
    account.clock.advance(1);
    const after = await cf.send(new GetDistributionCommand({ Id: 'E2QWRUHAPOMQZL' }));
    expect(after.Distribution!.Status).toBe('Deployed');
    expect(after.ETag).toBe(out.ETag);
  });

  it('refuses an update without If-Match (InvalidIfMatchVersion) and one with a stale ETag (PreconditionFailed, 412)', async () => {
    const { account, cf } = shop();
    const { DistributionConfig: config, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: 'E2QWRUHAPOMQZL' }));
    account.cloudfront.editByHand('E2QWRUHAPOMQZL', (c) => void (c.Comment = 'edited in the console'));

    await expect(cf.send(new UpdateDistributionCommand({ Id: 'E2QWRUHAPOMQZL', DistributionConfig: config }))).rejects.toMatchObject({
      name: 'InvalidIfMatchVersion',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(cf.send(new UpdateDistributionCommand({ Id: 'E2QWRUHAPOMQZL', IfMatch: ETag, DistributionConfig: config }))).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    expect(account.cloudfront.config('E2QWRUHAPOMQZL')!.Comment).toBe('edited in the console');
  });

  it('lands an interleaved edit just before the next update, which then meets PreconditionFailed', async () => {
    const { account, cf } = shop();
    const { DistributionConfig: config, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: 'E2QWRUHAPOMQZL' }));
    account.cloudfront.interleave('E2QWRUHAPOMQZL', (c) => void (c.DefaultRootObject = 'index.html'));

    await expect(cf.send(new UpdateDistributionCommand({ Id: 'E2QWRUHAPOMQZL', IfMatch: ETag, DistributionConfig: config }))).rejects.toMatchObject({ name: 'PreconditionFailed' });
    const fresh = await cf.send(new GetDistributionConfigCommand({ Id: 'E2QWRUHAPOMQZL' }));
    expect(fresh.DistributionConfig!.DefaultRootObject).toBe('index.html');
    await expect(cf.send(new UpdateDistributionCommand({ Id: 'E2QWRUHAPOMQZL', IfMatch: fresh.ETag, DistributionConfig: fresh.DistributionConfig }))).resolves.toBeDefined();
  });

  const invalid: [string, (c: DistributionConfig) => void, string][] = [
    ['a changed CallerReference', (c) => void (c.CallerReference = 'other'), 'IllegalUpdate'],
    ['a Quantity that does not match its Items', (c) => void (c.CacheBehaviors!.Quantity = 2), 'InconsistentQuantities'],
    ['a behaviour whose origin does not exist', (c) => void (c.DefaultCacheBehavior!.TargetOriginId = 'nope'), 'NoSuchOrigin'],
    ['an error code CloudFront does not know', (c) => void (c.CustomErrorResponses!.Items![0].ErrorCode = 418), 'InvalidErrorCode'],
    ['a response code CloudFront does not know', (c) => void (c.CustomErrorResponses!.Items![0].ResponseCode = '999'), 'InvalidResponseCode'],
    ['a page path without a leading slash', (c) => void (c.CustomErrorResponses!.Items![0].ResponsePagePath = 'maintenance.html'), 'InvalidRelativePath'],
    ['two error responses for one code', (c) => void (c.CustomErrorResponses = { Quantity: 2, Items: [c.CustomErrorResponses!.Items![0], c.CustomErrorResponses!.Items![0]] }), 'InvalidArgument'],
    ['no Comment', (c) => void delete c.Comment, 'InvalidArgument'],
  ];
  it.each(invalid)('refuses %s (%s) and changes nothing', async (_what, edit, name) => {
    const { account, cf } = shop();
    const { DistributionConfig: config, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: 'E2QWRUHAPOMQZL' }));
    const before = account.cloudfront.config('E2QWRUHAPOMQZL');
    edit(config!);

    await expect(cf.send(new UpdateDistributionCommand({ Id: 'E2QWRUHAPOMQZL', IfMatch: ETag, DistributionConfig: config }))).rejects.toMatchObject({ name });
    expect(account.cloudfront.config('E2QWRUHAPOMQZL')).toEqual(before);
    expect((await cf.send(new GetDistributionConfigCommand({ Id: 'E2QWRUHAPOMQZL' }))).ETag).toBe(ETag);
  });

  it('tags a distribution by ARN: merge, remove, list; refuses bad tags and unknown resources', async () => {
    const { cf } = shop();

    await cf.send(new TagResourceCommand({ Resource: ARN, Tags: { Items: [{ Key: 'steady:maintenance', Value: 'Maintenance/shop since=2026-01-01T00:00:00Z' }, { Key: 'team', Value: 'shop' }] } }));
    await cf.send(new UntagResourceCommand({ Resource: ARN, TagKeys: { Items: ['team'] } }));

    expect((await cf.send(new ListTagsForResourceCommand({ Resource: ARN }))).Tags).toEqual({ Items: [{ Key: 'steady:maintenance', Value: 'Maintenance/shop since=2026-01-01T00:00:00Z' }] });
    await expect(cf.send(new TagResourceCommand({ Resource: ARN, Tags: { Items: [{ Key: 'note', Value: 'a "quoted" value' }] } }))).rejects.toMatchObject({ name: 'InvalidTagging' });
    await expect(cf.send(new ListTagsForResourceCommand({ Resource: ARN.replace('E2QWRUHAPOMQZL', 'ENOPE') }))).rejects.toMatchObject({ name: 'NoSuchResource', $metadata: { httpStatusCode: 404 } });
    await expect(cf.send(new ListTagsForResourceCommand({ Resource: 'E2QWRUHAPOMQZL' }))).rejects.toMatchObject({ name: 'InvalidArgument' });
  });

  it('throttles tag changes above its assumed request rate when quotas are enforced, and the SDK retry lands after the back-off', async () => {
    const { account, cf } = shop();
    account.cloudfront.enforceQuotas();
    const burst = CLOUDFRONT_ASSUMED_RATES.TagResource.burst;

    for (let i = 0; i < burst; i++) await cf.send(new TagResourceCommand({ Resource: ARN, Tags: { Items: [{ Key: `k${i}`, Value: 'v' }] } }));
    const over = cf.send(new TagResourceCommand({ Resource: ARN, Tags: { Items: [{ Key: 'over', Value: 'v' }] } }));

    // Answered Throttling first; the SDK's standard retry backs off on the simulated clock and the
    // retry lands once the bucket has refilled (the simulator's rate limits, issue 16).
    const answered = await over;
    expect(answered.$metadata.attempts).toBeGreaterThan(1);
    expect(account.calls.filter((c) => c.operation === 'TagResource' && c.error === 'Throttling').length).toBeGreaterThan(0);
    expect(account.cloudfront.tags('E2QWRUHAPOMQZL')).toHaveProperty('over');
  });
});
