/** `steady retry KIND/NAME --env ENV` (see controller/retry.ts; its definition is commands/retry.ts). */
import { AwsCallError } from '../errors.js';
import { retryResource } from '../retry.js';
import type { CliContext } from './context.js';
import { loadEnvironments, printLoadFailure, resolveTarget, type EngineOptions } from './engine.js';
import { document, printFailure } from './json.js';
import { createOutput, type OutputFormat } from './output.js';

interface RetryOptions extends EngineOptions {
  output: OutputFormat;
}

/** `steady retry service/NAME|migration/NAME [PATH...] --env ENV`. */
export async function retry(ctx: CliContext, resource: string, paths: string[], options: RetryOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  if (!/^(service|migration)\/[a-z0-9-]+$/i.test(resource)) ctx.usageError(`expected service/NAME or migration/NAME, got "${resource}"`);
  const loaded = await loadEnvironments(ctx, paths, options);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'retry', { ok: false, resource });
  if (loaded.environments.length !== 1) ctx.usageError(`say which environment with --env (${loaded.environments.map((e) => e.name).join(', ')})`);
  const env = loaded.environments[0];
  const { adapters } = (await resolveTarget(options)).adapters(env.environment.spec.region);
  try {
    const message = await retryResource(env, resource, adapters);
    if (out.format === 'json') out.json(document('retry', 0, { ok: true, resource, environment: env.name, message }));
    else out.line(message);
    return 0;
  } catch (err) {
    const message = (err as Error).message;
    return printFailure(out, 'retry', 1, { kind: err instanceof AwsCallError ? err.awsCause.kind : 'notFound', message }, { ok: false, resource }, [`error: ${message}`]);
  }
}
