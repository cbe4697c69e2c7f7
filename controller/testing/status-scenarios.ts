/**
 * Scenario passes for the status page: real passes of the example environment on the simulated
 * account, recorded in a state table on the local DynamoDB server, each under an environment name
 * of its own. What the page tests, the screenshot script and the demo draw from.
 */
import { CreateTargetGroupCommand, DescribeListenersCommand, DescribeLoadBalancersCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { countCalls } from '../aws/clients.js';
import { createAdapters } from '../pass.js';
import { reconcileEnvironment } from '../reconcile.js';
import type { StateStore } from '../state/store.js';
import { world, type World } from './world.js';

/** The scenarios, by the environment name each is recorded under. */
export const SCENARIOS = {
  healthy: 'shop-healthy',
  staleAlias: 'shop-stale-alias',
  failedMigration: 'shop-failed-migration',
  brokenListener: 'shop-broken-listener',
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

/** An ECS stop reason carrying markup, as a hostile or careless image could make it. */
export const HOSTILE_REASON = `CannotPullContainerError: <script>window.__steadyInjected = 1</script><img src=x onerror="window.__steadyInjected = 2">`;

const MIN = 60_000;

/** The published commit the scenarios' passes say they ran, and who published it. */
export const SPEC_COMMIT = '9830ce858a1f51d09e4940fda42c821f3c080a8c80e1b5400c3aaf07415337b7';
export const SPEC_SOURCE = { publishedAt: '2025-12-31T23:50:00.000Z', author: 'Ana Lima <ana@example.com>', gitCommit: '4f2a9c1d7be0', message: 'api: alembic migration for orders' };

async function scenarioWorld(environment: string, seed: number): Promise<World> {
  const w = await world('shop-prod', { seed });
  w.desired.name = w.desired.environment.metadata.name = environment;
  for (const doc of [...w.desired.services, ...w.desired.migrations, ...w.desired.aliases]) doc.metadata.environment = environment;
  return w;
}

/**
 * Runs one scenario and records its passes in `store` (whose clock must be the world's: pass a
 * factory). Returns the world, so a test can look at the account too.
 */
export async function runScenario(name: ScenarioName, storeFor: (w: World) => StateStore, seed = 7): Promise<World> {
  const environment = SCENARIOS[name];
  const w = await scenarioWorld(environment, seed);
  const store = storeFor(w);
  const clients = w.account.clients();
  const calls = countCalls(clients);
  const adapters = createAdapters(clients);
  const pass = async () =>
    (await reconcileEnvironment(w.desired, { adapters, calls, clock: w.account.clock, store, holder: `test@${environment}`, pollMs: 5_000, specVersion: SPEC_COMMIT, specSource: SPEC_SOURCE })).result;
  // Every scenario starts from the environment built and rolled out, then quiet for a while.
  await pass();
  w.advance(10 * MIN);
  await pass();
  w.advance(30 * MIN);
  switch (name) {
    case 'healthy':
      break;
    case 'staleAlias':
      // The ALB is recreated under its alias: the next pass sees the alias stale and heals it.
      w.account.elbv2.recreateLoadBalancer('shop-api-alb');
      break;
    case 'failedMigration':
      // A new image needs a migration, whose task cannot even start: the rollout waits for it.
      w.account.ecs.failTasksToStart({ taskDefinition: 'shop-api-db-migrate' }, HOSTILE_REASON);
      w.account.ecr.push('shop-api', 'latest');
      break;
    case 'brokenListener':
      await pointListenerElsewhere(w);
      break;
  }
  await pass();
  w.advance(5 * MIN);
  return w;
}

/** Someone points the ALB's listener at a new target group of theirs: a break steady cannot heal. */
async function pointListenerElsewhere(w: World): Promise<void> {
  const elbv2 = w.account.clients().elbv2;
  const lb = (await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['shop-api-alb'] }))).LoadBalancers![0];
  const listener = (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0];
  const other = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'shop-api-canary', Protocol: 'HTTP', Port: 8000, TargetType: 'ip', VpcId: lb.VpcId }))).TargetGroups![0];
  await elbv2.send(new ModifyListenerCommand({ ListenerArn: listener.ListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: other.TargetGroupArn }] }));
}
