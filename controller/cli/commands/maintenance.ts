/** `steady maintenance on|off`: its help, options and examples; the code is ../maintenance.ts. */
import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { addEngineOptions, addLeaseOptions, helpAfter, ONE_ENV_HELP, outputOption } from './options.js';

/** The exit codes of `maintenance`, for its `--help` and the README. */
export const MAINTENANCE_EXIT_CODES =
  'Exit codes: 0 switched (or already so), and the pass converged or is converging; 1 the pass could not switch ' +
  '(AWS refused or could not be read, a conflict), or the state table could not be written; 3 another run holds the ' +
  "environment's lease: nothing was written or switched; 2 usage error (no --table, --no-lease, no --for or --reason, an " +
  'unknown Maintenance, not exactly one environment, --sim with a real --table); 130 stopped with Ctrl-C (what was done ' +
  'is recorded and the lease released first).';

/** `--name <maintenance>`: one Maintenance per flag, repeatable, or a comma-separated list (as `--env`). */
function nameOption(): Option {
  return new Option('--name <maintenance>', 'only this Maintenance of the environment; repeat it or give a comma-separated list (default: all of them)').argParser(
    (value: string, previous: string[] | undefined) => {
      const names = value.split(',').map((n) => n.trim());
      if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected a Maintenance name or a comma-separated list of them, got "${value}"`);
      return [...new Set([...(previous ?? []), ...names])];
    },
  );
}

export function defineMaintenance(program: Command, ctx: CliContext): void {
  const cmd = addLeaseOptions(
    addEngineOptions(
      program
        .command('maintenance')
        .summary("switch an environment's entry points to their maintenance page and back, without a commit")
        .description(
          "`steady maintenance on --env ENV --for 2h --reason TEXT` switches the environment's Maintenances (or those --name " +
            'gives) on: the window, with who set it, why and until when, is written to the state table holding the ' +
            "environment's lease (like reconcile; --no-lease does not apply, the window needs the table), and a pass " +
            'switches CloudFront and the ALB at once; Ctrl-C stops the pass, records it and releases the lease. It ends by ' +
            'itself: the first pass after --for has passed switches back. `steady maintenance off --env ENV` ends it now. A ' +
            'Maintenance whose spec says maintenance: on stays on until a commit says off. --env must choose exactly one ' +
            'environment (a name, or a pattern matching one).',
        )
        .addArgument(new Argument('<on|off>', 'on: start a window; off: end it').choices(['on', 'off']))
        .option('--for <duration>', 'with on: how long the window lasts (30m, 2h, 1d; at most 7d)')
        .option('--reason <text>', 'with on: why (shown in the reports, history and steady status)')
        .option('--by <who>', 'with on: who turns it on (default: $USER@host)')
        .addOption(nameOption()),
      ONE_ENV_HELP,
    ),
  )
    .addOption(outputOption())
    .action(runs(ctx, () => import('../maintenance.js'), (m) => m.maintenance));
  helpAfter(
    cmd,
    [
      ['Put shop-prod in maintenance for two hours (both entry points switch at once)', 'steady maintenance on --env shop-prod --for 2h --reason "DB upgrade" --table steady-state'],
      ['End it now: the pass puts back exactly what was there', 'steady maintenance off --env shop-prod --table steady-state'],
      ['Try it on the simulated account with a local state table', 'steady maintenance on specs/shop --env shop-prod --for 30m --reason test --sim controller/sim/fixtures/examples.yaml --table local-state --create-table'],
    ],
    MAINTENANCE_EXIT_CODES,
  );
}
