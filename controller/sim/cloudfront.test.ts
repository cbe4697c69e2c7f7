import { GetDistributionCommand, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';

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
