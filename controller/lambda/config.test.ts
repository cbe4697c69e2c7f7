import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { configFromEnv } from './config.js';

describe('configFromEnv', () => {
  it('reads the variables the CDK app sets, with defaults for the optional ones', () => {
    expect(configFromEnv({ STEADY_SPEC_BUCKET: 'my-steady-specs', STEADY_TABLE: 'steady-state' })).toEqual({
      bucket: 'my-steady-specs',
      prefix: '',
      table: 'steady-state',
      leaseTtlMs: 300_000,
      marginMs: 60_000,
      concurrency: 4,
      notify: true,
    });
    expect(
      configFromEnv({
        STEADY_SPEC_BUCKET: 'my-steady-specs',
        STEADY_SPEC_PREFIX: '/shop-prod/',
        STEADY_TABLE: 'steady-state',
        STEADY_LEASE_TTL_SECONDS: '600',
        STEADY_TIME_MARGIN_SECONDS: '45',
        STEADY_CONCURRENCY: '8',
        STEADY_NOTIFY: 'false',
        STEADY_STATUS_BUCKET: 'my-steady-status',
      }),
    ).toEqual({ bucket: 'my-steady-specs', prefix: 'shop-prod/', table: 'steady-state', leaseTtlMs: 600_000, marginMs: 45_000, concurrency: 8, notify: false, statusBucket: 'my-steady-status' });
  });

  it('names every problem at once, in one ConfigError', () => {
    const read = () =>
      configFromEnv({
        STEADY_SPEC_PREFIX: 'a//b',
        STEADY_LEASE_TTL_SECONDS: '30',
        STEADY_TIME_MARGIN_SECONDS: 'soon',
        STEADY_CONCURRENCY: '0',
        STEADY_NOTIFY: 'yes',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      [
        "steady's Lambda is misconfigured (7 problems):",
        '  - STEADY_SPEC_BUCKET is not set: the name of the bucket steady apply publishes to',
        '  - STEADY_SPEC_PREFIX: invalid prefix "a//b": an empty segment (//) is not allowed',
        '  - STEADY_TABLE is not set: the state table holds the lease that keeps two invocations from changing one environment at once',
        '  - STEADY_LEASE_TTL_SECONDS=30: must be more than 60 (twice the lease\'s safety margin)',
        '  - STEADY_TIME_MARGIN_SECONDS="soon": expected a number of seconds, at least 1',
        '  - STEADY_CONCURRENCY="0": expected a whole number from 1 to 64',
        '  - STEADY_NOTIFY="yes": expected true or false',
      ].join('\n'),
    );
  });

  it('refuses a bucket or table name AWS would refuse', () => {
    expect(() => configFromEnv({ STEADY_SPEC_BUCKET: 'My_Bucket', STEADY_TABLE: 'a' })).toThrow(/STEADY_SPEC_BUCKET="My_Bucket": .+\n {2}- STEADY_TABLE="a": not a DynamoDB table name/);
    expect(() => configFromEnv({ STEADY_SPEC_BUCKET: 'specs', STEADY_TABLE: 'steady-state', STEADY_STATUS_BUCKET: 'Status_Bucket' })).toThrow(/\n {2}- STEADY_STATUS_BUCKET="Status_Bucket": /);
  });
});
