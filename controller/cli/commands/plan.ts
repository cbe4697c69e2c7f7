/** `steady plan` and `steady reconcile`: their help, options and examples; the code is ../reconcile.ts. */
import { Option, type Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { addEngineOptions, addLeaseOptions, helpAfter, outputOption } from './options.js';

/** The exit codes of `plan`, for its `--help` and the README. */
export const PLAN_EXIT_CODES =
  'Exit codes (like terraform plan -detailed-exitcode): 0 no changes, and every resource was read; 2 changes pending ' +
  '(also in observe mode, where reconcile does not apply them); 1 an error: invalid specs, AWS could not be read, or a ' +
  'resource the plan cannot bring to its spec (image not found, a conflict, a failed migration gate, the change budget ' +
  'exceeded), and a usage error too (so that a typo never reads as "changes pending"). The health of what runs (the ' +
  'wiring checks) does not change it: that is verify.';

/** The exit codes of `reconcile`, for its `--help` and the README. */
export const RECONCILE_EXIT_CODES =
  'Exit codes: 0 converged, or converging by steady\'s own changes (a rollout, migration, DNS change under way), or ' +
  'observe mode reporting drift; 1 something failed, AWS could not be read, or drift is left unrepaired (a conflict, a ' +
  'failed migration, the change budget, a broken link steady does not repair), or the pass was interrupted (its lease ' +
  'was taken over); 3 skipped: another run holds the environment\'s lease, nothing was done; 2 usage error (also: no ' +
  '--table and no --no-lease, or --sim with a real --table or --notify); 130 stopped with Ctrl-C (what was done is ' +
  'recorded and the lease released first). With --dry-run it exits like plan.';

const SIM = 'controller/sim/fixtures/examples.yaml';

export function definePlan(program: Command, ctx: CliContext): void {
  const cmd = addEngineOptions(
    program
      .command('plan')
      .summary('show what steady would change, changing nothing')
      .description(
        'Observe each environment and show what a pass would do: the field-level differences and the actions, like ' +
          '"terraform plan". Nothing is changed. The first line of each report is its verdict. --output markdown writes a ' +
          "summary for a pull-request comment or a GitHub Actions job summary (within GitHub's 65,536-character comment limit).",
      ),
  )
    .addOption(outputOption(['text', 'json', 'markdown']))
    .action(runs(ctx, () => import('../reconcile.js'), (m) => m.runPlan));
  helpAfter(
    cmd,
    [
      ['What a pass would change in every environment of specs/, against AWS', 'steady plan'],
      ['One environment (repeat --env, or give a comma-separated list, for several)', 'steady plan --env shop-prod specs/'],
      ['Every environment whose name starts with shop- (quote the pattern from the shell)', "steady plan --env 'shop-*'"],
      ['Try it without an AWS account: a simulated account seeded from a fixture', `steady plan specs/ --sim ${SIM}`],
      ['The specs published to S3, as the controller would plan them', 'steady plan --from s3://my-steady-specs/shop-prod --region ap-northeast-1'],
      ['In CI: fail on anything but "no changes", and keep the JSON', 'steady plan -o json > plan.json'],
    ],
    PLAN_EXIT_CODES,
  );
}

export function defineReconcile(program: Command, ctx: CliContext): void {
  const cmd = addLeaseOptions(
    addEngineOptions(
      program
        .command('reconcile')
        .summary('run one pass: converge each environment to its specs')
        .description(
          'Run one pass per environment: observe, plan, converge, and print what was done. The pass takes the ' +
            "environment's lease in the state table (--table or STEADY_TABLE: one writer at a time), uses the migration ledger " +
            'and is recorded for `steady status`, `steady history` and `steady report`; without a table it refuses unless ' +
            '--no-lease is given. With --sim nothing real is changed and no lease is needed; a --table or --notify must then ' +
            'be local stand-ins. Ctrl-C stops the pass, records it and releases the lease. On a terminal, long waits (a ' +
            'migration, a CodeDeploy deployment, a DNS change) print a progress line every few seconds on stderr.',
        ),
    ),
  )
    .option('--dry-run', 'plan and report only: change nothing')
    .option('--notify', "send the Slack/email notifications of the Environment's spec")
    .addOption(outputOption())
    .addOption(new Option('--progress <when>', 'progress lines of long waits on stderr: auto (on a terminal), always, never').choices(['auto', 'always', 'never']).default('auto'))
    .action(runs(ctx, () => import('../reconcile.js'), (m) => m.runReconcile));
  helpAfter(
    cmd,
    [
      ['One pass over every environment of specs/, against AWS, under their leases in the state table', 'steady reconcile --table steady-state'],
      ['On the simulated account (no lease needed): watch steady create what the specs describe', `steady reconcile specs/shop --env shop-prod --sim ${SIM}`],
      ['Without the state table: nothing keeps another writer out, and the report says so', 'steady reconcile --env shop-prod --no-lease'],
      ['Plan only, exiting like plan', 'steady reconcile --dry-run'],
    ],
    RECONCILE_EXIT_CODES,
  );
}
