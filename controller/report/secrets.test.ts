import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCallError, NotifyError } from '../errors.js';
import { startSecretsServer } from '../testing/secrets-server.js';
import { useEndpoint } from '../testing/servers.js';
import { resolveWebhookUrl, WebhookUrlCache, webhookUrlFrom } from './secrets.js';

const URL_ = 'https://hooks.slack.com/services/T000/B000/SECRET-TOKEN-DO-NOT-LEAK';
const ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:steady/slack-AbCdEf';
const JSON_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:steady/slack-json-AbCdEf';

describe('resolveWebhookUrl', () => {
  let server: Awaited<ReturnType<typeof startSecretsServer>>;
  const restore: (() => void)[] = [];

  beforeAll(async () => {
    server = await startSecretsServer({
      secrets: { [ARN]: URL_, [JSON_ARN]: JSON.stringify({ webhookUrl: URL_, channel: '#ops' }) },
      parameters: { '/steady/slack-webhook': URL_ },
    });
    restore.push(useEndpoint('SECRETS_MANAGER', server.endpoint), useEndpoint('SSM', server.endpoint));
  });
  afterAll(async () => {
    restore.forEach((r) => r());
    await server.close();
  });

  it('reads the URL from a Secrets Manager secret holding the URL itself', async () => {
    const url = await resolveWebhookUrl({ secretsManager: ARN }, { cache: new WebhookUrlCache() });

    expect(url).toBe(URL_);
    expect(server.calls.at(-1)).toEqual({ target: 'secretsmanager.GetSecretValue', input: { SecretId: ARN } });
  });

  it('reads the URL from a secret holding JSON with a webhookUrl field', async () => {
    expect(await resolveWebhookUrl({ secretsManager: JSON_ARN }, { cache: new WebhookUrlCache() })).toBe(URL_);
  });

  it('reads the URL from an SSM SecureString parameter, decrypted', async () => {
    const url = await resolveWebhookUrl({ ssmParameter: '/steady/slack-webhook' }, { cache: new WebhookUrlCache() });

    expect(url).toBe(URL_);
    expect(server.calls.at(-1)).toEqual({ target: 'AmazonSSM.GetParameter', input: { Name: '/steady/slack-webhook', WithDecryption: true } });
  });

  it('reads a secret once for the life of the cache', async () => {
    const cache = new WebhookUrlCache();
    const before = server.calls.length;

    await resolveWebhookUrl({ secretsManager: ARN }, { cache });
    await resolveWebhookUrl({ secretsManager: ARN }, { cache });

    expect(server.calls.length - before).toBe(1);
  });

  it('names the secret and keeps the AWS error name when the secret does not exist', async () => {
    const missing = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:nope';

    const error = await resolveWebhookUrl({ secretsManager: missing }, { cache: new WebhookUrlCache() }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({
      awsName: 'ResourceNotFoundException',
      message: `reading the Slack webhook URL from secret ${missing}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    });
  });

  it('says which parameter is missing', async () => {
    const error = await resolveWebhookUrl({ ssmParameter: '/steady/none' }, { cache: new WebhookUrlCache() }).catch((e: unknown) => e);

    expect(error).toMatchObject({ awsName: 'ParameterNotFound' });
    expect((error as Error).message).toMatch(/^reading the Slack webhook URL from SSM parameter \/steady\/none: ParameterNotFound/);
  });
});

describe('webhookUrlFrom', () => {
  it.each([
    ['an empty value', '', 'no string value'],
    ['broken JSON', '{"url": "https://hooks.slack.com/services/T000/B000/SECRET-TOKEN-DO-NOT-LEAK', 'invalid JSON'],
    ['JSON without the field', '{"token":"SECRET-TOKEN-DO-NOT-LEAK"}', 'JSON without a "url" or "webhookUrl" string'],
    ['not a URL', 'SECRET-TOKEN-DO-NOT-LEAK', 'not a URL'],
    ['plain http to another host', 'http://hooks.slack.com/services/T000/B000/SECRET-TOKEN-DO-NOT-LEAK', 'not an https URL'],
  ])('refuses %s without quoting it', (_name, value, why) => {
    let error: unknown;
    try {
      webhookUrlFrom(value, `secret ${ARN}`);
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(NotifyError);
    expect((error as Error).message).toBe(`secret ${ARN} does not hold a Slack webhook URL (${why}): store the URL itself, or JSON with a "url" or "webhookUrl" field`);
    expect((error as Error).message).not.toContain('SECRET-TOKEN');
  });

  it('accepts plain http only to this machine, for local tests', () => {
    expect(webhookUrlFrom('http://127.0.0.1:8080/services/T/B/X', 'secret')).toBe('http://127.0.0.1:8080/services/T/B/X');
  });
});
