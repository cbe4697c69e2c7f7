import { ListAttributesCommand } from '@aws-sdk/client-ecs';
import { ListTrafficPolicyInstancesCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';

// The core of the simulated account, exercised through an operation no service module answers
// (ECS ListAttributes), so these tests stay about routing, the call log and fault injection.
function accountWithListAttributes() {
  const account = new SimAccount();
  let served = 0;
  (account.ecs.operations as Record<string, (input: any) => unknown>).ListAttributes = () => {
    served += 1;
    return { attributes: [{ name: 'ecs.os-type', value: 'linux' }] };
  };
  return { account, clients: account.clients(), served: () => served };
}

describe('SimAccount', () => {
  it('answers an SDK command without HTTP and logs the call with its input', async () => {
    const { account, clients } = accountWithListAttributes();

    const out = await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));

    expect(out.attributes).toEqual([{ name: 'ecs.os-type', value: 'linux' }]);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(account.calls).toHaveLength(1);
    expect(account.calls[0]).toMatchObject({ service: 'ecs', operation: 'ListAttributes', input: { cluster: 'prod' } });
    expect(account.callCounts()).toEqual({ 'ecs:ListAttributes': 1 });
  });

  it('counts only the calls made since a given point', async () => {
    const { account, clients } = accountWithListAttributes();
    await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));
    const since = account.calls.length;

    await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));

    expect([account.callCounts(), account.callCounts(since), account.callCounts(account.calls.length)]).toEqual([{ 'ecs:ListAttributes': 2 }, { 'ecs:ListAttributes': 1 }, {}]);
  });

  it('throttles with the service wire code and the SDK retry strategy retries it', async () => {
    const { account, clients, served } = accountWithListAttributes();
    account.faults.fail({ service: 'ecs', operation: 'ListAttributes', error: 'throttle', times: 2 });

    const out = await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));

    expect(out.$metadata.attempts).toBe(3);
    expect(served()).toBe(1);
    expect(account.calls.map((c) => c.error)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
  });

  it('gives up after the retry budget and surfaces the throttling error', async () => {
    const { account, clients } = accountWithListAttributes();
    account.faults.fail({ service: 'ecs', error: 'throttle' });

    await expect(clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    expect(account.calls).toHaveLength(3);
  });

  it('spells faults the way each protocol does', async () => {
    const account = new SimAccount();
    const clients = account.clients();
    account.faults.fail({ service: 'route53', error: 'accessDenied' });

    await expect(clients.route53.send(new ListTrafficPolicyInstancesCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('refuses an operation it does not simulate, by name', async () => {
    const account = new SimAccount();
    await expect(account.clients().route53.send(new ListTrafficPolicyInstancesCommand({}))).rejects.toThrow(
      'The simulated account does not implement route53:ListTrafficPolicyInstances.',
    );
  });

  it('advances simulated time without sleeping and fires timers in order', async () => {
    const account = new SimAccount({ start: 0 });
    const fired: string[] = [];
    account.clock.schedule(30_000, () => fired.push('insync'));
    account.clock.schedule(10_000, () => fired.push('running'));

    await Promise.all([account.clock.sleep(20_000), account.clock.sleep(20_000)]);

    expect(account.clock.now()).toBe(20_000);
    expect(fired).toEqual(['running']);
    account.clock.advance(10_000);
    expect(fired).toEqual(['running', 'insync']);
  });

  it('makes the same ids from the same seed', () => {
    expect(new SimAccount({ seed: 7 }).hex(16)).toBe(new SimAccount({ seed: 7 }).hex(16));
    expect(new SimAccount({ seed: 7 }).hex(16)).not.toBe(new SimAccount({ seed: 8 }).hex(16));
  });
});
