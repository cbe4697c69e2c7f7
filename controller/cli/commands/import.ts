/** `steady import`: its help, options and examples; the code is ../import.ts. */
import { Option, type Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { colorOption, helpAfter, outputOption, REGION_SOURCES } from './options.js';

export function defineImport(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('import')
    .summary('write specs for what already runs in an ECS cluster, to adopt it')
    .description(
      'Read an ECS cluster (its services, the task definitions they run, their target groups and the Route 53 aliases that ' +
        'point at their load balancers; with --migrations, one-off task families) and write one spec file per resource, ' +
        'each with adopt: true and comments for anything import could not decide. Nothing in AWS is changed. Then: review, ' +
        '`steady validate DIR`, `steady plan DIR` (expect only adoption), publish.',
    )
    .requiredOption('--cluster <name>', 'the ECS cluster to import')
    .option('--service <name...>', 'only these services (default: every service of the cluster)')
    .option('--region <region>', `the AWS region of the cluster (default: ${REGION_SOURCES.replace('--region, ', '')}; with --sim, the simulated account's)`)
    .option('--out <dir>', 'where to write the files (default: specs/<environment>)')
    .option('--env <name>', 'the Environment to name (default: the one steady already tags the services with, else the cluster name)')
    .option('--migrations <family...>', 'task-definition families of one-off tasks to import as Migrations')
    .option('--force', 'overwrite files that exist')
    .addOption(new Option('--sim <fixture>', 'read a simulated AWS account seeded from this YAML fixture instead of AWS'))
    .addOption(outputOption())
    .addOption(colorOption())
    .action(runs(ctx, () => import('../import.js'), (m) => m.importCluster));
  helpAfter(
    cmd,
    [
      ['Every service of a cluster, written to specs/<environment>/', 'steady import --cluster shop-prod --region ap-northeast-1'],
      ['Two services and a migration family, into a folder of your choice', 'steady import --cluster shop-prod --service api worker --migrations shop-api-db-migrate --out specs/shop'],
      ['Try it on the simulated account', 'steady import --cluster shop-prod --sim controller/sim/fixtures/examples.yaml --out /tmp/shop'],
    ],
    'Exit codes: 0 written, 1 failed (nothing written) or written with problems to fix, 2 usage error (no --cluster, no region).',
  );
}
