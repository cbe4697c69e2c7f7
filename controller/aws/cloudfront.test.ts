import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../errors.js';
import { SimAccount } from '../sim/account.js';
import { CloudFrontAdapter } from './cloudfront.js';

function setup() {
  const account = new SimAccount({ start: 0 }).seed({
    cloudfront: { distributions: [{ id: 'E2QWRUHAPOMQZL', domainName: 'D111111ABCDEF8.cloudfront.net', aliases: ['www.example.com', 'Shop.Example.com'] }] },
  });
  return { account, cf: new CloudFrontAdapter(account.clients().cloudfront) };
}

describe('CloudFrontAdapter.distribution', () => {
  it('returns a distribution with its domain name and aliases normalised', async () => {
    const { cf } = setup();

    expect(await cf.distribution('E2QWRUHAPOMQZL')).toEqual({
      id: 'E2QWRUHAPOMQZL',
      domainName: 'd111111abcdef8.cloudfront.net',
      status: 'Deployed',
      enabled: true,
      aliases: ['shop.example.com', 'www.example.com'],
    });
  });

  it('returns undefined for a distribution that does not exist', async () => {
    const { account, cf } = setup();

    expect(await cf.distribution('ENOPE')).toBeUndefined();
    expect(account.calls.map((c) => [c.operation, c.error])).toEqual([['GetDistribution', 'NoSuchDistribution']]);
  });

  it('surfaces other failures with what was being read', async () => {
    const { account, cf } = setup();
    account.faults.fail({ service: 'cloudfront', error: 'accessDenied' });

    const err = await cf.distribution('E2QWRUHAPOMQZL').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ awsName: 'AccessDenied', service: 'cloudfront', operation: 'GetDistribution' });
    expect((err as Error).message).toMatch(/^reading CloudFront distribution E2QWRUHAPOMQZL: AccessDenied: /);
  });
});

describe('CloudFrontAdapter: maintenance changes', () => {
  function storefront() {
    const account = new SimAccount({ start: 0 }).seed({
      cloudfront: {
        distributions: [
          {
            id: 'E2QWRUHAPOMQZL',
            origins: [
              { id: 'shop-web', domainName: 'shop-web.s3.ap-northeast-1.amazonaws.com', originAccessControlId: 'E1OAC0000001' },
              { id: 'shop-maintenance', domainName: 'shop-maintenance.s3.ap-northeast-1.amazonaws.com', originAccessControlId: 'E1OAC0000001' },
            ],
            tags: { team: 'shop' },
          },
        ],
      },
    });
    return { account, cf: new CloudFrontAdapter(account.clients().cloudfront) };
  }
  const toMaintenance = (c: Record<string, any>) => ({ ...c, DefaultCacheBehavior: { ...c.DefaultCacheBehavior, TargetOriginId: 'shop-maintenance' } });

  it('reads the whole configuration, its ETag and the tags', async () => {
    const { cf } = storefront();

    const d = await cf.distributionDetail('E2QWRUHAPOMQZL');

    expect(d).toMatchObject({ id: 'E2QWRUHAPOMQZL', arn: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL', status: 'Deployed', tags: { team: 'shop' } });
    expect(d!.etag).toMatch(/^E[A-Z0-9]{13}$/);
    expect(d!.config.Origins.Items.map((o: { Id: string }) => o.Id)).toEqual(['shop-web', 'shop-maintenance']);
    expect(await cf.distributionDetail('ENOPE')).toBeUndefined();
  });

  it('updates with the ETag it read, and reports InProgress', async () => {
    const { account, cf } = storefront();

    const update = await cf.updateConfig('E2QWRUHAPOMQZL', toMaintenance);

    expect(update).toMatchObject({ status: 'InProgress', attempts: 1 });
    expect(account.cloudfront.config('E2QWRUHAPOMQZL')!.DefaultCacheBehavior!.TargetOriginId).toBe('shop-maintenance');
    const [read, write] = account.calls.filter((c) => c.service === 'cloudfront');
    expect([read.operation, write.operation]).toEqual(['GetDistributionConfig', 'UpdateDistribution']);
    expect(write.input.IfMatch).toMatch(/^E[A-Z0-9]{13}$/);
  });

  it('applies the change again to the fresh configuration when someone edited the distribution in between', async () => {
    const { account, cf } = storefront();
    account.cloudfront.interleave('E2QWRUHAPOMQZL', (c) => void (c.Comment = 'edited by hand'));

    const update = await cf.updateConfig('E2QWRUHAPOMQZL', toMaintenance);

    expect(update!.attempts).toBe(2);
    expect(account.calls.map((c) => [c.operation, c.error ?? 'ok'])).toEqual([
      ['GetDistributionConfig', 'ok'],
      ['UpdateDistribution', 'PreconditionFailed'],
      ['GetDistributionConfig', 'ok'],
      ['UpdateDistribution', 'ok'],
    ]);
    expect(account.cloudfront.config('E2QWRUHAPOMQZL')).toMatchObject({ Comment: 'edited by hand', DefaultCacheBehavior: { TargetOriginId: 'shop-maintenance' } });
  });

  it('gives up after three conflicting edits, saying what it was doing', async () => {
    const { account, cf } = storefront();

    // Someone edits the distribution between every read and its update.
    const err = await cf
      .updateConfig('E2QWRUHAPOMQZL', (c) => {
        account.cloudfront.interleave('E2QWRUHAPOMQZL', (x) => void (x.Comment = 'racing'));
        return toMaintenance(c);
      })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ awsName: 'PreconditionFailed', operation: 'UpdateDistribution' });
    expect((err as Error).message).toMatch(/^updating CloudFront distribution E2QWRUHAPOMQZL: PreconditionFailed: /);
    expect(account.calls.filter((c) => c.operation === 'UpdateDistribution').map((c) => c.error)).toEqual(['PreconditionFailed', 'PreconditionFailed', 'PreconditionFailed']);
    expect(account.cloudfront.config('E2QWRUHAPOMQZL')!.DefaultCacheBehavior!.TargetOriginId).toBe('shop-web');
  });

  it('sends nothing when the change finds nothing to change', async () => {
    const { account, cf } = storefront();

    expect(await cf.updateConfig('E2QWRUHAPOMQZL', () => undefined)).toBeUndefined();
    expect(account.calls.map((c) => c.operation)).toEqual(['GetDistributionConfig']);
  });

  it('tags and untags by ARN', async () => {
    const { account, cf } = storefront();
    const arn = 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL';

    await cf.tag(arn, { 'steady:maintenance': 'Maintenance/shop env=shop-prod' });
    await cf.untag(arn, ['team']);

    expect(account.cloudfront.tags('E2QWRUHAPOMQZL')).toEqual({ 'steady:maintenance': 'Maintenance/shop env=shop-prod' });
  });
});
