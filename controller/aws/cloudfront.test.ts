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
