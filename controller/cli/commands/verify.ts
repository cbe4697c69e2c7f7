/** `steady verify`: its help, options and examples; the code is ../verify.ts. */
import type { Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { addEngineOptions, helpAfter, outputOption } from './options.js';

export function defineVerify(program: Command, ctx: CliContext): void {
  const cmd = addEngineOptions(
    program
      .command('verify')
      .summary('check the chain from each name to the running containers, changing nothing')
      .description(
        'For every Service behind a load balancer (or with a probe), check each link from the public name to the running ' +
          'containers: alias record, load balancer, listener and certificate, forward to the target group, target group ' +
          'port and health check, the ECS service binding, its PRIMARY deployment, target health, the image digests the ' +
          'tasks run, and the HTTP probe. Print the chain as a tree, with what to fix under each broken link. Nothing is ' +
          'changed: use it as a pre-deploy gate in CI.',
      ),
  )
    .option('--no-probes', "skip the services' HTTP probes")
    .addOption(outputOption())
    .action(runs(ctx, () => import('../verify.js'), (m) => m.verify));
  helpAfter(
    cmd,
    [
      ['Check every service of specs/ against AWS', 'steady verify'],
      ['A wired example on the simulated account', 'steady verify controller/wiring/testdata/web --sim controller/wiring/testdata/wired.yaml'],
      ['One environment, without the HTTP probes, as JSON', 'steady verify --env shop-prod --no-probes -o json'],
    ],
    'Exit codes: 0 every service Ready, 1 a link is broken or could not be read (or the specs are invalid), 2 usage error.',
  );
}
