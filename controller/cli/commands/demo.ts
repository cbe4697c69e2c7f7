/** `steady demo`: its help and options; the code is ../demo.ts. */
import type { Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { colorOption, DEFAULT_PATHS, helpAfter } from './options.js';

/** The demo's simulated organisation, relative to the repository (the demo resolves it there). */
export const DEMO_FIXTURE_PATH = 'controller/sim/fixtures/examples.yaml';
/** Where `steady demo` writes its status page by default (git-ignored). */
export const DEMO_PAGE_DIR = '.steady/status';

export function defineDemo(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('demo')
    .summary('watch steady build, break and heal the example environments on simulated AWS accounts')
    .description(
      "Run steady's main job on a simulated AWS organisation (no AWS account, no network): the shop in steady's own account, " +
        "messaging-prod in another, reached through its role (STS AssumeRole with its external id). A first pass creates the example " +
        'environments, then an image is pushed without a rollout, the ALB is recreated under its DNS alias and a service ' +
        'is scaled to zero by hand; the next pass heals all three. Then a nightly scheduled task runs, fails, and is reported. ' +
        'Last, a maintenance window: `steady maintenance on` switches the shop to its maintenance page, `off` puts back exactly what was there.',
    )
    .argument('[paths...]', 'spec files or directories', DEFAULT_PATHS)
    .option('--sim <fixture>', `the simulated account or organisation to start from (default: ${DEMO_FIXTURE_PATH} of steady itself)`)
    .option('--html <dir>', 'where to write the status page of the demo (index.html)', DEMO_PAGE_DIR)
    .addOption(colorOption())
    .action(runs(ctx, () => import('../demo.js'), (m) => m.demo));
  helpAfter(
    cmd,
    [
      ['The whole story on the example environments (what npm start runs)', 'steady demo'],
      ['Your own specs, against the same simulated organisation', 'steady demo my-specs/'],
    ],
    'Exit codes: 0 the story ran, 1 the specs are invalid, a pass failed or the maintenance window did not switch and come back, 2 usage error.',
  );
}
