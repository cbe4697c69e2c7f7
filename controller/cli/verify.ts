/**
 * `steady verify [PATH...]`: checks, without changing anything, that the chain from each public
 * name to the running containers is connected (alias -> load balancer -> listener -> target group
 * -> ECS service -> healthy targets -> tasks on the expected images, and the optional HTTP
 * probe), and prints it as a tree with a mark per link. A pre-deploy gate for CI: exit 0 when
 * every service is Ready, 1 when a link is broken or could not be read (or the specs are
 * invalid), 2 on a usage error.
 */
import { describeCauses } from '../model/causes.js';
import { uniqueCauses } from '../model/outcome.js';
import { newPassId } from '../pass.js';
import { checkWiring, renderWiringTree, type WiringResult } from '../wiring/index.js';
import { unreachableWiring } from '../wiring/unreachable.js';
import { document, wiringJson } from './json.js';
import { loadEnvironments, printLoadFailure, resolveTarget, unreachableWhat, type EngineOptions } from './engine.js';
import { EXIT_FAILED, EXIT_OK, type CliContext } from './context.js';
import { createOutput, plural, type OutputFormat } from './output.js';
import { printSummary, wiringSummaryRow } from './summary.js';

interface VerifyOptions extends EngineOptions {
  output: OutputFormat;
  /** `--no-probes` sets it false. */
  probes: boolean;
}

/** `steady verify [PATH...]` (its definition is commands/verify.ts). */
export async function verify(ctx: CliContext, paths: string[], options: VerifyOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const { color } = out;
  const loaded = await loadEnvironments(ctx, paths, options);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'verify', { ok: false, causes: [], environments: [] });
  const target = await resolveTarget(options);

  for (const env of loaded.environments) {
    const refused = target.refusal(env.environment.spec);
    if (refused) ctx.usageError(`${env.name}: ${refused}`);
  }
  const environments: { name: string; region: string; cluster: string; results: WiringResult[] }[] = [];
  for (const env of loaded.environments) {
    const { region, cluster } = env.environment.spec;
    if (out.format === 'text') out.note(`verifying ${env.name} in ${target.describe}…`);
    // Through the role the environment names, when it names one; a role that cannot be assumed makes its services unknown.
    const reached = await target.reach(env.environment.spec, newPassId(env.name, target.clock.now()));
    const results = reached.ok
      ? await checkWiring(env, reached.regional.adapters, { now: () => target.clock.now(), probes: options.probes })
      : unreachableWiring(env, reached.unreadable, unreachableWhat(env.environment.spec, reached.unreadable), target.clock.now());
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

  printSummary(out, environments.map((env) => wiringSummaryRow(env.name, env.results)));
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
