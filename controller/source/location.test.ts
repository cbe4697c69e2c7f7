import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { bucketNameProblem, keys, normalizePrefix, parseS3Url, s3Url, specLocation } from './location.js';

describe('parseS3Url', () => {
  it.each([
    ['s3://my-specs', { bucket: 'my-specs', prefix: '' }],
    ['s3://my-specs/', { bucket: 'my-specs', prefix: '' }],
    ['s3://my-specs/shop-prod', { bucket: 'my-specs', prefix: 'shop-prod/' }],
    ['s3://my-specs/teams/shop/prod/', { bucket: 'my-specs', prefix: 'teams/shop/prod/' }],
    ['s3://specs.example.com/shop', { bucket: 'specs.example.com', prefix: 'shop/' }],
  ])('reads %s', (url, expected) => {
    expect(parseS3Url(url)).toEqual(expected);
  });

  it.each([
    ['my-specs/shop', 'expected an S3 URL like s3://bucket/prefix, got "my-specs/shop"'],
    ['https://my-specs.s3.amazonaws.com/shop', 'expected an S3 URL like s3://bucket/prefix, got "https://my-specs.s3.amazonaws.com/shop"'],
    ['s3://', 'S3 URL "s3://" names no bucket; expected s3://bucket/prefix'],
    ['s3:///shop', 'S3 URL "s3:///shop" names no bucket; expected s3://bucket/prefix'],
    [
      's3://My_Specs/shop',
      'S3 URL "s3://My_Specs/shop": invalid bucket name "My_Specs": a bucket name is 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
    ],
    ['s3://my-specs/shop//prod', 'invalid prefix "shop//prod": an empty segment (//) is not allowed'],
    ['s3://my-specs/shop/../prod', 'invalid prefix "shop/../prod": a ".." segment is not allowed'],
    ['s3://my-specs/shop/./prod', 'invalid prefix "shop/./prod": a "." segment is not allowed'],
    ['xs3://my-specs/shop', 'expected an S3 URL like s3://bucket/prefix, got "xs3://my-specs/shop"'],
    ['s3://my-specs/shop\nnext', 'invalid prefix "shop\\nnext": it contains a control character'],
  ])('refuses %s with a message saying what was expected', (url, message) => {
    expect(() => parseS3Url(url)).toThrow(new ConfigError(message));
  });
});

describe('bucketNameProblem', () => {
  it.each(['abc', 'my-specs', 'specs.example.com', `a${'b'.repeat(61)}c`, '1.2.3.4x', 'x1.2.3.4', '1.2.34.5.6'])('accepts %s', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each(['ab', 'My-Specs', 'my_specs', '-specs', 'specs-', 'my..specs', '192.168.1.1', '10.0.10.10', `a${'b'.repeat(62)}c`])('refuses %s', (name) => {
    expect(bucketNameProblem(name)).toBe(
      `invalid bucket name ${JSON.stringify(name)}: a bucket name is 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`,
    );
  });
});

describe('normalizePrefix', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['shop', 'shop/'],
    ['/shop/', 'shop/'],
    ['//shop//', 'shop/'],
    ['a/b', 'a/b/'],
  ])('turns %j into %j', (given, expected) => {
    expect(normalizePrefix(given)).toBe(expected);
  });

  it('refuses a control character', () => {
    expect(() => normalizePrefix('shop\nprod')).toThrow(new ConfigError('invalid prefix "shop\\nprod": it contains a control character'));
  });
});

describe('specLocation', () => {
  it('refuses a bucket name that cannot be, and normalises the prefix', () => {
    expect(() => specLocation('My_Specs', 'shop')).toThrow(new ConfigError(bucketNameProblem('My_Specs')!));
    expect(specLocation('my-specs', '/shop')).toEqual({ bucket: 'my-specs', prefix: 'shop/' });
  });
});

describe('keys and URLs', () => {
  it('puts every key of the format under the prefix', () => {
    const loc = specLocation('my-specs', 'shop-prod');

    expect([keys.pointer(loc), keys.commits(loc), keys.manifest(loc, 'c0ffee'), keys.object(loc, 'beef')]).toEqual([
      'shop-prod/HEAD',
      'shop-prod/commits/',
      'shop-prod/commits/c0ffee.json',
      'shop-prod/objects/sha256/beef',
    ]);
    expect([s3Url(loc), s3Url(loc, keys.pointer(loc)), s3Url(specLocation('my-specs'))]).toEqual([
      's3://my-specs/shop-prod/',
      's3://my-specs/shop-prod/HEAD',
      's3://my-specs/',
    ]);
  });
});
