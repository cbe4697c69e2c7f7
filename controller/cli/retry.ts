/** `steady retry KIND/NAME --env ENV` (see controller/retry.ts). */
import type { Command } from 'commander';
import { AwsCallError } from '../errors.js';
import { retryResource } from '../retry.js';
import type { CliContext } from './main.js';
import { addEngineOptions, loadEnvironments, printLoadFailure, resolveTarget, type EngineOptions } from './engine.js';
import { document, printFailure } from './json.js';
import { createOutput, outputOption, type OutputFormat } from './output.js';

interface RetryOptions extends EngineOptions {
  output: OutputFormat;
}

async function retry(resource: string, paths: string[], options: RetryOptions, ctx: CliContext): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const fail = (code: number, kind: string, message: string) => printFailure(out, 'retry', code, { kind, message }, { ok: false, resource }, [`steady: ${message}`]);
  if (!/^(service|migration)\/[a-z0-9-]+$/i.test(resource)) return fail(2, 'usage', `expected service/NAME or migration/NAME, got "${resource}"`);
  const loaded = await loadEnvironments(paths, options.env, options.from);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'retry', { ok: false, resource });
  if (loaded.environments.length !== 1) return fail(2, 'usage', `say which environment with --env (${loaded.environments.map((e) => e.name).join(', ')})`);
  const env = loaded.environments[0];
  const { adapters } = (await resolveTarget(options)).adapters(env.environment.spec.region);
  try {
    const message = await retryResource(env, resource, adapters);
    if (out.format === 'json') out.json(document('retry', 0, { ok: true, resource, environment: env.name, message }));
    else out.line(message);
    return 0;
  } catch (err) {
    return fail(1, err instanceof AwsCallError ? err.awsCause.kind : 'notFound', (err as Error).message);
  }
}

export function registerRetry(program: Command, ctx: CliContext): void {
  addEngineOptions(
    program
      .command('retry')
      .summary('let steady try again a failed migration or a rolled-back rollout')
      .description(
        'steady does not repeat a migration version that failed, or a revision the ECS circuit breaker rolled back, on every ' +
          'pass. After fixing the cause, `steady retry migration/NAME --env ENV` runs the migration again on the next pass, ' +
          'and `steady retry service/NAME --env ENV` rolls the revision out again.\n\n' +
          'Exit codes: 0 done (or nothing to forget), 1 the resource is unknown or AWS refused, 2 usage error.',
      )
      .argument('<resource>', 'service/NAME or migration/NAME'),
  )
    .addOption(outputOption())
    .action(async (resource: string, paths: string[], options: RetryOptions) => {
      ctx.exitCode = await retry(resource, paths, options, ctx);
    });
}
