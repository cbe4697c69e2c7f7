/** `steady retry KIND/NAME --env ENV` (see controller/retry.ts). */
import type { Command } from 'commander';
import { retryResource } from '../retry.js';
import type { CliContext } from './main.js';
import { addEngineOptions, loadEnvironments, printLoadFailure, resolveTarget, type EngineOptions } from './engine.js';
import { createOutput } from './output.js';

async function retry(resource: string, paths: string[], options: EngineOptions, ctx: CliContext): Promise<number> {
  const out = createOutput(ctx.io, 'text');
  if (!/^(service|migration)\/[a-z0-9-]+$/i.test(resource)) {
    out.line(`steady: expected service/NAME or migration/NAME, got "${resource}"`);
    return 2;
  }
  const loaded = await loadEnvironments(paths, options.env, options.from);
  if (!loaded.ok) {
    printLoadFailure(out, loaded);
    return 1;
  }
  if (loaded.environments.length !== 1) {
    out.line(`steady: say which environment with --env (${loaded.environments.map((e) => e.name).join(', ')})`);
    return 2;
  }
  const env = loaded.environments[0];
  const { adapters } = (await resolveTarget(options)).adapters(env.environment.spec.region);
  try {
    out.line(await retryResource(env, resource, adapters));
    return 0;
  } catch (err) {
    out.line(`steady: ${(err as Error).message}`);
    return 1;
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
          'and `steady retry service/NAME --env ENV` rolls the revision out again.',
      )
      .argument('<resource>', 'service/NAME or migration/NAME'),
  ).action(async (resource: string, paths: string[], options: EngineOptions) => {
    ctx.exitCode = await retry(resource, paths, options, ctx);
  });
}
