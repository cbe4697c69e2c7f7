/** `steady retry KIND/NAME --env ENV` (see controller/retry.ts), under the environment's lease. */
import type { Command } from 'commander';
import { AwsCallError, LeaseHeldError, PassInterruptedError } from '../errors.js';
import { EXIT } from '../model/outcome.js';
import type { LeaseReport } from '../reconcile.js';
import { retryResource } from '../retry.js';
import type { CliContext } from './main.js';
import { addEngineOptions, cliHolder, loadEnvironments, printLoadFailure, resolveTarget, type EngineOptions } from './engine.js';
import { document, printFailure } from './json.js';
import { addLeaseOptions, chooseLease, interruptOnCtrlC, noLeaseWords, withEnvironmentLease, type LeaseCliOptions } from './lease.js';
import { createOutput, outputOption, type OutputFormat } from './output.js';

interface RetryOptions extends EngineOptions, LeaseCliOptions {
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
  const target = await resolveTarget(options);
  const choice = await chooseLease(options, { command: 'retry', clock: target.clock, region: env.environment.spec.region });
  if ('refused' in choice) return fail(EXIT.usage, 'usage', choice.refused);
  const { adapters } = target.adapters(env.environment.spec.region);
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

export function registerRetry(program: Command, ctx: CliContext): void {
  addLeaseOptions(
    addEngineOptions(
      program
        .command('retry')
        .summary('let steady try again a failed migration or a rolled-back rollout')
        .description(
          'steady does not repeat a migration version that failed, or a revision the ECS circuit breaker rolled back, on every ' +
            'pass. After fixing the cause, `steady retry migration/NAME --env ENV` runs the migration again on the next pass, ' +
            'and `steady retry service/NAME --env ENV` rolls the revision out again. It changes AWS (tags), so it takes the ' +
            "environment's lease like reconcile (--table or STEADY_TABLE), or refuses unless --no-lease is given.\n\n" +
            'Exit codes: 0 done (or nothing to forget), 1 the resource is unknown or AWS refused, 2 usage error (also: no ' +
            '--table and no --no-lease), 3 another run holds the lease (nothing was changed).',
        )
        .argument('<resource>', 'service/NAME or migration/NAME'),
    ),
  )
    .addOption(outputOption())
    .action(async (resource: string, paths: string[], options: RetryOptions) => {
      ctx.exitCode = await retry(resource, paths, options, ctx);
    });
}
