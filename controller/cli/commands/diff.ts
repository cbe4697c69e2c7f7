/** `steady diff`: its help, options and examples; the code is ../diff.ts. */
import { Option, type Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { colorOption, ENV_HELP, envOption, helpAfter, outputOption } from './options.js';

/** The exit codes of `diff`, for its `--help` and the README. */
export const DIFF_EXIT_CODES =
  'Exit codes (like plan): 0 no change to what steady acts on; 2 the specs differ; 1 an error: invalid specs on either side ' +
  '(with file:line:column), a revision or commit that cannot be read, or a usage error (so that a typo never reads as ' +
  '"the specs differ").';

export function defineDiff(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('diff')
    .summary('show what a spec change changes, without AWS')
    .description(
      'Compare the specs in the working tree with those of a git revision (--base, default HEAD: read with git, no AWS at all) ' +
        'or of a published commit (--from s3://bucket/prefix: its HEAD, or --commit ID; needs read access to the spec prefix ' +
        'only), resource by resource and field by field, after defaults are applied: a reordered list or a default written ' +
        'out is no change. Images and names are compared as written; `steady plan` resolves them against AWS. A resource ' +
        'that is gone is reported as no longer managed: steady deletes nothing.',
    )
    .argument('[paths...]', 'spec files, or directories searched for *.yaml and *.yml', ['specs/'])
    .addOption(new Option('--base <revision>', 'a git revision to compare with (a branch, tag or commit; default HEAD)'))
    .addOption(new Option('--from <s3-url>', 'a published commit to compare with: s3://bucket/prefix (its HEAD)'))
    .addOption(new Option('--commit <id>', 'with --from: this commit (7+ hex digits) instead of HEAD'))
    .addOption(envOption(`${ENV_HELP} (default: every environment on either side)`))
    .addOption(new Option('--region <region>', 'with --from: the AWS region of the spec bucket (default: AWS_REGION, or the AWS profile\'s region)'))
    .addOption(outputOption(['text', 'json', 'markdown']))
    .addOption(colorOption())
    .action(runs(ctx, () => import('../diff.js'), (m) => m.diff));
  helpAfter(
    cmd,
    [
      ['What the uncommitted spec changes change', 'steady diff'],
      ['A branch against main, as a pull-request comment', 'steady diff --base origin/main -o markdown'],
      ['The working tree against what is published', 'steady diff specs/ --from s3://my-steady-specs/shop-prod --region ap-northeast-1'],
    ],
    DIFF_EXIT_CODES,
  );
}
