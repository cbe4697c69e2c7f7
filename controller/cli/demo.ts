/**
 * `steady demo` (what `npm start` runs): steady's main job on a simulated AWS account, no AWS
 * account and no network needed. A first pass builds the example environments from specs/; then
 * the incidents steady exists for happen (an image pushed but never rolled out, an ALB recreated
 * under its DNS alias, a service scaled to zero by hand); the next pass heals them; the last finds
 * nothing to do.
 */
import { fileURLToPath } from 'node:url';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Command } from 'commander';
import type { PassResult } from '../model/pass.js';
import { reconcileEnvironment } from '../reconcile.js';
import { buildReport, renderReport } from '../report/index.js';
import type { SimAccount } from '../sim/account.js';
import type { CliContext } from './main.js';
import { cliHolder, loadEnvironments, printLoadFailure, resolveTarget, type Target } from './engine.js';
import { createOutput, type Output } from './output.js';
import { exitCode, passOutcome } from '../model/outcome.js';

export const DEMO_FIXTURE = fileURLToPath(new URL('../sim/fixtures/examples.yaml', import.meta.url));

interface DemoOptions {
  sim: string;
}

/** An incident the demo causes, if the environment has what it needs. */
interface Incident {
  says: string;
  happen(account: SimAccount): Promise<void> | void;
}

function incidents(account: SimAccount, services: Set<string>): Incident[] {
  const list: Incident[] = [];
  if (account.ecr.images('shop-api').length > 0) {
    list.push({ says: 'CI pushed a new image to shop-api:latest, and nobody registered a new task definition', happen: (a) => void a.ecr.push('shop-api', 'latest') });
  }
  if (account.elbv2.findByName('shop-api-alb')) {
    list.push({ says: 'the ALB shop-api-alb was deleted and created again: it has a new DNS name', happen: (a) => void a.elbv2.recreateLoadBalancer('shop-api-alb') });
  }
  if (services.has('shop-prod/api')) {
    list.push({
      says: 'someone scaled the service api to 0 by hand',
      happen: async (a) => void (await a.clients().ecs.send(new UpdateServiceCommand({ cluster: 'shop-prod', service: 'api', desiredCount: 0 }))),
    });
  }
  return list;
}

async function passes(label: string, target: Target, envs: Parameters<typeof reconcileEnvironment>[0][], out: Output): Promise<PassResult[]> {
  out.line(out.color.bold(label));
  out.line();
  const results: PassResult[] = [];
  for (const env of envs) {
    const { adapters, calls } = target.adapters(env.environment.spec.region);
    const { result } = await reconcileEnvironment(env, { adapters, calls, clock: target.clock, holder: cliHolder() });
    results.push(result);
    out.line(renderReport(buildReport(result), { color: out.color.isColorSupported }));
  }
  return results;
}

async function demo(paths: string[], options: DemoOptions, ctx: CliContext): Promise<number> {
  const out = createOutput(ctx.io, 'text');
  const loaded = await loadEnvironments(paths);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'demo', {});
  const target = await resolveTarget({ sim: options.sim });
  const account = target.account!;
  const envs = loaded.environments;
  out.line(out.color.bold('steady demo'));
  out.line(`The specs in ${paths.join(', ')} against ${target.describe}: no AWS account, no network.`);
  out.line('Time is simulated: waits for migrations, rollouts and DNS changes take no real time.');
  out.line();

  const first = await passes('1. The first pass creates what the specs describe', target, envs, out);
  account.clock.advance(10 * 60_000);

  const services = new Set(envs.flatMap((e) => e.services.map((s) => `${e.environment.spec.cluster}/${s.spec.serviceName ?? s.metadata.name}`)));
  const happened = incidents(account, services);
  out.line(out.color.bold('2. Ten minutes later, things go wrong'));
  out.line();
  for (const incident of happened) {
    await incident.happen(account);
    out.line(`  ${out.color.yellow('!')} ${incident.says}`);
  }
  out.line();
  const healed = await passes('3. The next pass notices and heals', target, envs, out);
  account.clock.advance(10 * 60_000);
  const quiet = await passes('4. And once ECS has rolled out, there is nothing left to do', target, envs, out);
  out.line(
    `Try it yourself: ${out.color.cyan('npx steady plan specs/ --sim ' + DEMO_FIXTURE.replace(process.cwd() + '/', ''))}, ` +
      `edit a spec, and plan again.`,
  );
  return exitCode('reconcile', [...first, ...healed, ...quiet].map((r) => passOutcome(r).verdict));
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .summary('watch steady build, break and heal the example environments on a simulated account')
    .description(
      "Run steady's main job on a simulated AWS account (no AWS account, no network): a first pass creates the example " +
        'environments, then an image is pushed without a rollout, the ALB is recreated under its DNS alias and a service ' +
        'is scaled to zero by hand; the next pass heals all three.',
    )
    .argument('[paths...]', 'spec files or directories', ['specs/'])
    .option('--sim <fixture>', 'the simulated account to start from', DEMO_FIXTURE)
    .action(async (paths: string[], options: DemoOptions) => {
      ctx.exitCode = await demo(paths, options, ctx);
    });
}
