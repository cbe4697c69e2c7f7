import { describe, expect, it } from 'vitest';
import { carryOver } from './carryover.js';

describe('carryOver', () => {
  const observed = {
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: false, rollback: false },
    alarms: { alarmNames: ['api-5xx'], enable: true, rollback: true },
    strategy: 'BLUE_GREEN',
    bakeTimeInMinutes: 10,
    lifecycleHooks: [{ hookTargetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:smoke', roleArn: 'arn:aws:iam::123456789012:role/hooks', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
  };
  const owned = ['maximumPercent', 'minimumHealthyPercent', 'deploymentCircuitBreaker'];

  it('sends what is observed with steady’s fields applied', () => {
    const sent = carryOver(observed, owned, { maximumPercent: 150, minimumHealthyPercent: 50, deploymentCircuitBreaker: { enable: true, rollback: true } });

    expect(sent).toEqual({
      maximumPercent: 150,
      minimumHealthyPercent: 50,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      alarms: { alarmNames: ['api-5xx'], enable: true, rollback: true },
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 10,
      lifecycleHooks: [{ hookTargetArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:smoke', roleArn: 'arn:aws:iam::123456789012:role/hooks', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
    });
  });

  it('removes an owned field the desired object leaves out, and never changes the observed object', () => {
    const before = structuredClone(observed);

    const sent = carryOver<Record<string, unknown>>(observed, owned, { maximumPercent: 200 });

    expect(sent).not.toHaveProperty('minimumHealthyPercent');
    expect(sent).not.toHaveProperty('deploymentCircuitBreaker');
    expect(sent.alarms).toEqual(observed.alarms);
    expect(observed).toEqual(before);
  });

  it('applies nested owned paths and keeps their siblings', () => {
    const distribution = { Aliases: { Quantity: 1, Items: ['old.example.com'] }, ViewerCertificate: { ACMCertificateArn: 'arn:old', SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' }, Comment: 'made by hand' };

    const sent = carryOver(distribution, ['Aliases', 'ViewerCertificate.ACMCertificateArn'], { Aliases: { Quantity: 1, Items: ['new.example.com'] }, ViewerCertificate: { ACMCertificateArn: 'arn:new' } });

    expect(sent).toEqual({
      Aliases: { Quantity: 1, Items: ['new.example.com'] },
      ViewerCertificate: { ACMCertificateArn: 'arn:new', SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
      Comment: 'made by hand',
    });
  });

  it('steps into lists by index: one field of one list item, the item\'s other fields and the other items kept', () => {
    const config = {
      CacheBehaviors: {
        Quantity: 2,
        Items: [
          { PathPattern: '/_next/static/*', TargetOriginId: 'web', Compress: true },
          { PathPattern: '/api/*', TargetOriginId: 'api', FunctionAssociations: { Quantity: 0 } },
        ],
      },
    };

    const sent = carryOver<typeof config>(config, ['CacheBehaviors.Items.1.TargetOriginId'], { CacheBehaviors: { Items: [{}, { TargetOriginId: 'maintenance' }] } });

    expect(sent.CacheBehaviors.Items).toEqual([
      { PathPattern: '/_next/static/*', TargetOriginId: 'web', Compress: true },
      { PathPattern: '/api/*', TargetOriginId: 'maintenance', FunctionAssociations: { Quantity: 0 } },
    ]);
    expect(config.CacheBehaviors.Items[1].TargetOriginId).toBe('api');
  });

  it('starts from nothing when nothing was observed', () => {
    expect(carryOver(undefined, owned, { maximumPercent: 200, minimumHealthyPercent: 100 })).toEqual({ maximumPercent: 200, minimumHealthyPercent: 100 });
  });

  it('an owned nested field whose parent is missing on either side is removed or created, nothing else', () => {
    const observed = { ViewerCertificate: { ACMCertificateArn: 'arn:old', SSLSupportMethod: 'sni-only' }, Comment: 'kept' };

    // The desired side has no parent (absent or null): the owned field goes, its siblings stay.
    expect(carryOver(observed, ['ViewerCertificate.ACMCertificateArn'], {})).toStrictEqual({ ViewerCertificate: { SSLSupportMethod: 'sni-only' }, Comment: 'kept' });
    expect(carryOver(observed, ['ViewerCertificate.ACMCertificateArn'], { ViewerCertificate: null })).toStrictEqual({ ViewerCertificate: { SSLSupportMethod: 'sni-only' }, Comment: 'kept' });
    expect(carryOver(observed, ['ViewerCertificate.ACMCertificateArn'], { ViewerCertificate: 'not an object' })).toStrictEqual({ ViewerCertificate: { SSLSupportMethod: 'sni-only' }, Comment: 'kept' });
    // The observed side has no parent: created for a value, not made up for an absent one.
    expect(carryOver({ Comment: 'kept' }, ['Logging.Bucket'], { Logging: { Bucket: 'logs' } })).toStrictEqual({ Comment: 'kept', Logging: { Bucket: 'logs' } });
    expect(carryOver({ Comment: 'kept' }, ['Logging.Bucket'], {})).toStrictEqual({ Comment: 'kept' });
    expect(carryOver({ Logging: 'x' }, ['Logging.Bucket'], { Logging: { Bucket: 'logs' } })).toStrictEqual({ Logging: { Bucket: 'logs' } });
  });
});
