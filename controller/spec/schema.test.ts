import { describe, expect, it } from 'vitest';
import { looksLikeLiteralSecret } from './schema.js';

describe('looksLikeLiteralSecret', () => {
  it.each([
    ['DB_PASSWORD', 'hunter2'],
    ['DD_API_KEY', '0123456789abcdef'],
    ['GITHUB_TOKEN', 'ghp_xxx'],
    ['AWS_SECRET_ACCESS_KEY', 'abc'],
    ['JWT_SECRET', 'abc'],
    ['DATABASE_URL', 'postgres://shop:hunter2@db:5432/shop'],
    ['REDIS_URL', 'redis://:hunter2@cache:6379'],
  ])('takes %s=... for a secret', (name, value) => {
    expect(looksLikeLiteralSecret(name, value)).toBe(true);
  });

  it.each([
    ['TOKEN_TTL', '3600'],
    ['SECRET_NAME', 'shop-prod/db'],
    ['PASSWORD_MIN_LENGTH', '12'],
    ['DATABASE_URL', 'postgres://db:5432/shop'],
    ['DB_PASSWORD', ''],
    ['DB_PASSWORD_ARN', 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db'],
    ['DB_SECRET', 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db'],
  ])('takes %s=%s for a plain setting', (name, value) => {
    expect(looksLikeLiteralSecret(name, value)).toBe(false);
  });
});
