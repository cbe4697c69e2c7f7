/** `steady retry KIND/NAME --env ENV` (see controller/retry.ts; its definition is commands/retry.ts), under the environment's lease. */
import { AwsCallError, LeaseHeldError, PassInterruptedError } from '../errors.js';
import { EXIT } from '../model/outcome.js';
import type { LeaseReport } from '../reconcile.js';
import { retryResource } from '../retry.js';
import type { CliContext } from './context.js';
import { cliHolder, loadEnvironments, printLoadFailure, resolveTarget, unreachableWords, type EngineOptions } from './engine.js';
import { newPassId } from '../pass.js';
import { document, printFailure } from './json.js';
import { chooseLease, interruptOnCtrlC, noLeaseWords, withEnvironmentLease, type LeaseCliOptions } from './lease.js';
import { createOutput, type OutputFormat } from './output.js';

interface RetryOptions extends EngineOptions, LeaseCliOptions {
  output: OutputFormat;
}

/** `steady retry service/NAME|migration/NAME [PATH...] --env ENV`. */
export async function retry(ctx: CliContext, resource: string, paths: string[], options: RetryOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const fail = (code: number, kind: string, message: string) => printFailure(out, 'retry', code, { kind, message }, { ok: false, resource }, [`error: ${message}`]);
  if (!/^(service|migration)\/[a-z0-9-]+$/i.test(resource)) ctx.usageError(`expected service/NAME or migration/NAME, got "${resource}"`);
  const loaded = await loadEnvironments(ctx, paths, options);
  if (!loaded.ok) return printLoadFailure(out, loaded, 'retry', { ok: false, resource });
  if (loaded.environments.length !== 1) ctx.usageError(`say which environment with --env (${loaded.environments.map((e) => e.name).join(', ')})`);
  const env = loaded.environments[0];
  const target = await resolveTarget(options);
  const choice = await chooseLease(options, { command: 'retry', clock: target.clock, region: env.environment.spec.region });
  if ('refused' in choice) ctx.usageError(choice.refused);
  const refused = target.refusal(env.environment.spec);
  if (refused) ctx.usageError(`${env.name}: ${refused}`);
  // Through the role the environment names, when it names one.
  const reached = await target.reach(env.environment.spec, newPassId(env.name, target.clock.now()));
  if (!reached.ok) return fail(1, reached.unreadable.cause?.kind ?? 'unreachable', `${unreachableWords(env.name, env.environment.spec, reached.unreadable)}; nothing was changed`);
  const { adapters } = reached.regional;
  const ctrlC = interruptOnCtrlC(ctx.io);
  try {
    const { value: message, held, end } = await withEnvironmentLease(choice, env.name, cliHolder(), ctrlC.signal, (h) => retryResource(env, resource, adapters, h?.beforeChange));
    const notes = [noLeaseWords(choice, env.name), end?.lost && `warning: the lease of ${env.name} was lost: ${end.lost}`].filter((x): x is string => !!x);
    const lease: LeaseReport = held
      ? { state: 'held', table: choice.store!.tableName, holder: held.lease.holder, version: held.lease.version, end: end?.released ? 'released' : end?.lost ? 'lost' : 'expires' }
      : choice.noLease === 'noLease'
        ? { state: 'none', message: noLeaseWords(choice, env.name) }
        : { state: 'notNeeded' };
    if (out.format === 'json') out.json(document('retry', 0, { ok: true, resource, environment: env.name, message, lease }));
    else for (const line of [message, ...notes]) out.line(line);
    return 0;
  } catch (err) {
    if (err instanceof LeaseHeldError) return fail(EXIT.skipped, 'leaseHeld', `${err.message}; nothing was changed`);
    if (err instanceof PassInterruptedError) return fail(err.reason === 'aborted' ? EXIT.interrupted : 1, err.reason, `${err.message}; nothing was changed`);
    return fail(1, err instanceof AwsCallError ? err.awsCause.kind : 'notFound', (err as Error).message);
  } finally {
    ctrlC.dispose();
  }
}
