/** `steady retry`: its help, options and examples; the code is ../retry.ts. */
import type { Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { addEngineOptions, addLeaseOptions, helpAfter, ONE_ENV_HELP, outputOption } from './options.js';

export function defineRetry(program: Command, ctx: CliContext): void {
  const cmd = addLeaseOptions(
    addEngineOptions(
      program
        .command('retry')
        .summary('let steady try again a failed migration or a rolled-back rollout')
        .description(
          'steady does not repeat a migration version that failed, or a revision the ECS circuit breaker rolled back (or a ' +
            'failed CodeDeploy deployment), on every pass. After fixing the cause, retry clears that memory (tags in AWS): ' +
            'the next pass runs the migration again, or rolls the revision out again. It changes AWS, so it takes the ' +
            "environment's lease like reconcile (--table or STEADY_TABLE), or refuses unless --no-lease is given.",
        )
        .argument('<resource>', 'service/NAME or migration/NAME'),
      ONE_ENV_HELP,
    ),
  )
    .addOption(outputOption())
    .action(runs(ctx, () => import('../retry.js'), (m) => m.retry));
  helpAfter(
    cmd,
    [
      ['Run the failed migration version again on the next pass', 'steady retry migration/db-migrate --env shop-prod --table steady-state'],
      ['Roll out again the revision the circuit breaker rolled back', 'steady retry service/api --env shop-prod --table steady-state'],
    ],
    'Exit codes: 0 done (or nothing to forget), 1 the resource is unknown or AWS refused, 2 usage error (also: no ' +
      '--table and no --no-lease), 3 another run holds the lease (nothing was changed), 130 stopped with Ctrl-C (nothing was changed).',
  );
}
