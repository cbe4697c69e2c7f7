import { describe, expect, it } from 'vitest';
import { isSecretName, looksLikeLiteralSecret, redactDeep, redactSecrets, secretIn } from './secrets.js';

describe('looksLikeLiteralSecret', () => {
  it.each([
    ['DB_PASSWORD', 'hunter2'],
    ['DD_API_KEY', '0123456789abcdef'],
    ['GITHUB_TOKEN', 'ghp_xxx'],
    ['AWS_SECRET_ACCESS_KEY', 'abc'],
    ['JWT_SECRET', 'abc'],
    ['DATABASE_URL', 'postgres://shop:hunter2@db:5432/shop'],
    ['REDIS_URL', 'redis://:hunter2@cache:6379'],
    ['API_SECRET_KEY', 'hunter2'],
    ['GITHUB_PAT', 'whatever'],
    ['SLACK_WEBHOOK', 'https://example.com/hook'],
    ['AUTH', 'letmein'],
    ['PGPASSWORD', 'hunter2'],
    ['apiSecretKey', 'hunter2'],
    ['splunk-token', 'abc'],
    ['DB_PASSWORD', '12345'],
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
    ['REQUIRE_AUTH', 'true'],
    ['AUTH', 'none'],
    ['BYPASS', 'cache'],
    ['PATH', '/usr/local/bin:/usr/bin'],
    ['GOOGLE_APPLICATION_CREDENTIALS', '/var/run/secrets/gcp.json'],
    ['DB_PASSWORD', '${DB_PASSWORD}'],
  ])('takes %s=%s for a plain setting', (name, value) => {
    expect(looksLikeLiteralSecret(name, value)).toBe(false);
  });
});

describe('secretIn (by value, whatever the field)', () => {
  it.each([
    ['an AWS access key id', 'AKIAQ3EGTHLY7EXAMPLE'],
    ['a GitHub token', 'token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'],
    ['a GitHub token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop'],
    ['a GitLab token', 'glpat-abcdefghij0123456789'],
    ['a Slack token', 'xoxb-1234567890-abcdefghij'],
    ['a Slack webhook URL', 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXX'],
    ['a Discord webhook URL', 'https://discord.com/api/webhooks/123456/abc-DEF_ghi'],
    ['a bearer token', 'Authorization: Bearer abcdef0123456789abcdef'],
    ['basic-auth credentials', 'Authorization: Basic dXNlcjpodW50ZXIy'],
    ['a private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----'],
    ['a JSON Web Token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
    ['a URL with a password', 'psql postgres://shop:hunter2@db:5432/shop'],
    ['the value of PGPASSWORD=', 'PGPASSWORD=hunter2 psql -h db'],
    ['the value of --password', 'mysql --password hunter2 -h db'],
    ['the value of db-password=', 'migrate --db-password=hunter2'],
  ])('finds %s', (what, value) => {
    expect(secretIn(value)).toBe(what);
  });

  it.each([
    ['a task role ARN', 'arn:aws:iam::123456789012:role/shop-prod-api'],
    ['a secret ARN', 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shop-prod/database-url-Xa1b2C'],
    ['an image digest', '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    ['a URL with a port', 'https://api.example.com:8443/health'],
    ['a URL with a user but no password', 'https://git@example.com/repo'],
    ['a URL whose password is filled in at run time', 'postgres://shop:${DB_PASSWORD}@db/shop'],
    ['a health check', 'curl -f http://localhost:8000/healthz || exit 1'],
    ['a bearer header filled in at run time', 'curl -H "Authorization: Bearer $TOKEN" http://localhost/'],
    ['prose about basic auth', 'Basic authentication is disabled'],
    ['a flag without a value', 'psql --no-password -h db'],
    ['a password read from a file', 'migrate --password-file=/run/secrets/db'],
    ['an alembic command', 'alembic upgrade head'],
    ['a git sha', '4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e'],
    ['the test credentials', 'AKIDTESTTESTTESTTEST'],
  ])('leaves %s alone', (_what, value) => {
    expect(secretIn(value)).toBeUndefined();
  });
});

describe('isSecretName', () => {
  it('reads names in any case and separator style', () => {
    expect(['DB_PASSWORD', 'dbPassword', 'db-password', 'db.password', 'GITHUB_PAT', 'SLACK_WEBHOOK_URL', 'CSRFTOKEN'].filter((n) => !isSecretName(n))).toEqual([]);
    expect(['PASSWORD_MIN_LENGTH', 'TOKEN_TTL', 'PATH', 'BYPASS', 'secretOptions', 'webhookUrlParameter', 'AUTH_MODE', 'passId'].filter(isSecretName)).toEqual([]);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['postgres://shop:hunter2@db:5432/shop', 'postgres://shop:[redacted]@db:5432/shop'],
    ['token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB used', 'token [redacted] used'],
    ['Authorization: Bearer abcdef0123456789abcdef', 'Authorization: Bearer [redacted]'],
    ['PGPASSWORD=hunter2 psql -h db', 'PGPASSWORD=[redacted] psql -h db'],
    ['mysql --password hunter2 -h db', 'mysql --password [redacted] -h db'],
    ['["psql","--password","hunter2"]', '["psql","--password","[redacted]"]'],
    ['[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"PORT","value":"8000"}]', '[{"name":"DB_PASSWORD","value":"[redacted]"},{"name":"PORT","value":"8000"}]'],
    ['{"splunk-token":"abc","splunk-url":"https://splunk"}', '{"splunk-token":"[redacted]","splunk-url":"https://splunk"}'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----', '[redacted]'],
  ])('%s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('leaves ordinary report text as it is', () => {
    const text =
      'update service api: containers[app].image 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:aaaa -> arn:aws:ecs:ap-northeast-1:123456789012:task-definition/shop-api:3; ' +
      'steady retry service/api --env shop-prod; https://api.example.com:8443/health answered 503';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactDeep', () => {
  it('redacts every string, and whole values under secret names or diff paths', () => {
    const report = {
      environment: 'shop-prod',
      passId: 'shop-prod/2026-01-01T00:00:00.000Z/abc',
      resources: [
        {
          resource: 'Service/api',
          drift: [
            { path: 'taskDefinition.containers[app].environment.DB_PASSWORD', before: 'hunter2', after: undefined },
            { path: 'taskDefinition.containers[app].command', before: '["psql","postgres://u:hunter2@db/x"]', after: '["alembic","upgrade","head"]' },
            { path: 'desiredCount', before: '1', after: '2' },
          ],
          message: 'failed: Bearer abcdef0123456789abcdef refused',
        },
      ],
      labels: { GITHUB_PAT: 'whatever' },
    };

    expect(redactDeep(report)).toEqual({
      environment: 'shop-prod',
      passId: 'shop-prod/2026-01-01T00:00:00.000Z/abc',
      resources: [
        {
          resource: 'Service/api',
          drift: [
            { path: 'taskDefinition.containers[app].environment.DB_PASSWORD', before: '[redacted]', after: undefined },
            { path: 'taskDefinition.containers[app].command', before: '["psql","postgres://u:[redacted]@db/x"]', after: '["alembic","upgrade","head"]' },
            { path: 'desiredCount', before: '1', after: '2' },
          ],
          message: 'failed: Bearer [redacted] refused',
        },
      ],
      labels: { GITHUB_PAT: '[redacted]' },
    });
  });
});
