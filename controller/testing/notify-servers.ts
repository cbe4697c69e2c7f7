/**
 * The servers a notifying pass talks to, for one `describe` block: a Slack webhook recorder
 * (a small HTTP server), SES v2 (aws-ses-v2-local) and an SSM parameter holding the webhook's URL,
 * reached by default-configured clients through `AWS_ENDPOINT_URL_SSM` / `AWS_ENDPOINT_URL_SESV2`.
 */
import { afterAll, beforeAll } from 'vitest';
import { startSecretsServer } from './secrets-server.js';
import { startHttpRecorder, startSes, useEndpoint } from './servers.js';

/** The SSM parameter the example specs name for shop-prod's Slack webhook. */
export const SHOP_PROD_WEBHOOK_PARAMETER = '/steady/shop-prod/slack-webhook';

/**
 * @example
 * const servers = useNotifyServers();
 * it('...', async () => { ...; expect(servers.slack.requests).toHaveLength(1); expect(await servers.ses.emails()).toHaveLength(1); });
 */
export function useNotifyServers(parameter = SHOP_PROD_WEBHOOK_PARAMETER) {
  let started: { slack: Awaited<ReturnType<typeof startHttpRecorder>>; ses: Awaited<ReturnType<typeof startSes>>; secrets: Awaited<ReturnType<typeof startSecretsServer>> } | undefined;
  let restore: (() => void)[] = [];
  beforeAll(async () => {
    const slack = await startHttpRecorder();
    const ses = await startSes();
    const secrets = await startSecretsServer({ parameters: { [parameter]: `${slack.endpoint}/services/T000/B000/XXXX` } });
    restore = [useEndpoint('SSM', secrets.endpoint), useEndpoint('SESV2', ses.endpoint)];
    started = { slack, ses, secrets };
  });
  afterAll(async () => {
    for (const r of restore) r();
    if (started) await Promise.all([started.slack.close(), started.ses.close(), started.secrets.close()]);
  });
  const get = () => {
    if (!started) throw new Error('the notification servers start in beforeAll');
    return started;
  };
  return {
    get slack() {
      return get().slack;
    },
    get ses() {
      return get().ses;
    },
  };
}
