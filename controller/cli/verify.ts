/**
 * `steady verify [PATH...]`: checks, without changing anything, that the chain from each public
 * name to the running containers is connected (alias -> load balancer -> listener -> target group
 * -> ECS service -> healthy targets -> tasks on the expected images, and the optional HTTP
 * probe), and prints it as a tree with a mark per link. A pre-deploy gate for CI: exit 0 when
 * every service is Ready, 1 when a link is broken or could not be read (or the specs are
 * invalid), 2 on a usage error.
 */
import type { Command } from 'commander';
import { describeCauses } from '../model/causes.js';
import { uniqueCauses } from '../model/outcome.js';
import { checkWiring, renderWiringTree, type WiringResult } from '../wiring/index.js';
import { document, wiringJson } from './json.js';
import { addEngineOptions, loadEnvironments, printLoadFailure, resolveTarget, type EngineOptions } from './engine.js';
import { EXIT_FAILED, EXIT_OK, type CliContext } from './main.js';
import { createOutput, outputOption, plural, type OutputFormat } from './output.js';

interface VerifyOptions extends EngineOptions {
  output: OutputFormat;
  /** `--no-probes` sets it false. */
  probes: boolean;
}

/** Adds the `verify` command to the program. */
export function registerVerify(program: Command, ctx: CliContext): void {
  addEngineOptions(
    program
      .command('verify')
      .summary('check the chain from each name to the running containers, changing nothing')
      .description(
        'For every Service behind a load balancer (or with a probe), check each link from the public name to the running ' +
          'containers: alias record, load balancer, listener and certificate, forward to the target group, target group ' +
          'port and health check, the ECS service binding, its PRIMARY deployment, target health, the image digests the ' +
          'tasks run, and the HTTP probe. Print the chain as a tree, with what to fix under each broken link. Nothing is ' +
          'changed: use it as a pre-deploy gate in CI.\n\nExit codes: 0 every service Ready, 1 a link is broken or could not ' +
          'be read (or the specs are invalid), 2 usage error.',
      ),
  )
    .option('--no-probes', "skip the services' HTTP probes")
    .addOption(outputOption())
    .action(async (paths: string[], options: VerifyOptions) => {
      ctx.exitCode = await verify(paths, options, ctx);
    });
}

async function verify(paths: string[], options: VerifyOptions, ctx: CliContext): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const { color } = out;
  const loaded = await loadEnvironments(paths, options.env, options.from);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'verify', { ok: false, causes: [], environments: [] });
  const target = await resolveTarget(options);

  const environments: { name: string; region: string; cluster: string; results: WiringResult[] }[] = [];
  for (const env of loaded.environments) {
    const { region, cluster } = env.environment.spec;
    const { adapters } = target.adapters(region);
    if (out.format === 'text') out.note(`verifying ${env.name} in ${target.describe}…`);
    const results = await checkWiring(env, adapters, { now: () => target.clock.now(), probes: options.probes });
    environments.push({ name: env.name, region, cluster, results });
  }

  const all = environments.flatMap((e) => e.results);
  const degraded = all.filter((r) => r.condition.type !== 'Ready');
  const code = degraded.length === 0 ? EXIT_OK : EXIT_FAILED;
  // Links that could not be read for the same reason say it once, here, not once per link.
  const causes = describeCauses(uniqueCauses(all.flatMap((r) => r.links.flatMap((l) => (l.status === 'unknown' && l.cause ? [l.cause] : [])))), ctx.io.env);
  if (out.format === 'json') {
    out.json(
      document('verify', code, {
        ok: code === EXIT_OK,
        target: target.describe,
        causes,
        environments: environments.map(({ results, ...env }) => ({ ...env, services: results.map(wiringJson) })),
      }),
    );
    return code;
  }

  if (causes.length > 0) {
    out.line(color.bold(color.red(`AWS could not be read: ${causes.map((c) => c.text).join('; ')}.`)));
    for (const c of causes) out.line(`    ${c.advice}`);
    out.line();
  }
  environments.forEach((env, i) => {
    if (i > 0) out.line();
    out.line(`${color.bold(env.name)}  ${color.dim(`cluster ${env.cluster}, ${env.region}`)}`);
    if (env.results.length === 0) out.line(color.dim('no service has a load balancer or a probe: nothing to check'));
    for (const r of env.results) for (const line of renderWiringTree(r, color, { causesSaid: causes.length > 0 })) out.line(line);
  });
  out.line();
  const ready = all.length - degraded.length;
  const counts = `${plural(all.length, 'service')}: ${ready} Ready, ${degraded.length} Degraded`;
  out.line(degraded.length === 0 ? color.green(counts) : color.red(counts));
  return code;
}
