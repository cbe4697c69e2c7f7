/** `steady publish` (also `steady apply`) and `steady commits`: their help, options and examples; the code is ../apply.ts and ../commits.ts. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { bucketOption, colorOption, helpAfter, outputOption, prefixOption, regionOption } from './options.js';

export function definePublish(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('publish')
    .alias('apply')
    .summary('validate specs and publish them to S3 as one commit (changes no AWS resource)')
    .description(
      'Validate a spec set, then publish it to s3://BUCKET/PREFIX/ as one commit: each file as a content-addressed ' +
        'object, then a manifest listing them, then HEAD pointing at the manifest. It changes no AWS resource: it ' +
        'writes only to the spec bucket, and the controller (the Lambda) reconciles what HEAD names on its next pass. ' +
        'The controller never sees a commit half uploaded. Publishing identical specs again uploads nothing. ' +
        '`steady apply` is the same command under its former name.\n\n' +
        'The git commit, author and message are read from the checkout the specs are in; the flags override them.\n\n' +
        '--rollback COMMIT points HEAD back at an earlier commit (see steady commits) after checking that every one ' +
        'of its files is intact and valid.',
    )
    .argument('[paths...]', 'spec files, or directories searched recursively for *.yaml and *.yml (default: specs/)')
    .addOption(bucketOption())
    .addOption(prefixOption())
    .addOption(regionOption('the spec bucket'))
    .option('--dry-run', 'show what would be uploaded, upload nothing')
    .option('--allow-empty', 'publish a spec set with no documents, or files holding only comments (refused otherwise: it would stop steady reconciling what they held)')
    .addOption(new Option('--message <text>', "commit message to record (default: the git commit's)"))
    .addOption(new Option('--author <name>', "author to record (default: the git commit's)"))
    .addOption(new Option('--git-commit <sha>', "git commit to record (default: the checkout's HEAD)"))
    .addOption(
      new Option('--rollback <commit>', 'point HEAD at this earlier commit (an id or its first 7+ hex digits)')
        .conflicts(['message', 'author', 'gitCommit', 'allowEmpty'])
        .argParser((value: string) => {
          if (!/^[0-9a-fA-F]{7,64}$/.test(value)) throw new InvalidArgumentError('expected a commit id: 7 to 64 hex digits');
          return value;
        }),
    )
    .addOption(outputOption())
    .addOption(colorOption())
    .action(runs(ctx, () => import('../apply.js'), (m) => m.publish));
  helpAfter(
    cmd,
    [
      ['Validate, then publish specs/ as the next commit of shop-prod', 'steady publish specs/ --bucket my-steady-specs --prefix shop-prod'],
      ['Show what would be uploaded, upload nothing', 'steady publish specs/ --bucket my-steady-specs --prefix shop-prod --dry-run'],
      ['Point HEAD back at an earlier commit', 'steady publish --rollback 5f167df --bucket my-steady-specs --prefix shop-prod'],
    ],
    'Exit codes: 0 published or nothing to do, 1 invalid specs or S3 failure, 2 usage error (including no region).',
  );
}

export function defineCommits(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('commits')
    .summary('list the spec commits published to S3, newest first')
    .description(
      'List the commits published under s3://BUCKET/PREFIX/ by steady publish, newest first, from their manifests ' +
        '(S3 object versioning is not needed). "*" marks the commit HEAD names: the one the controller loads. ' +
        'steady publish --rollback COMMIT makes an earlier one current again.',
    )
    .addOption(bucketOption())
    .addOption(prefixOption())
    .addOption(regionOption('the spec bucket'))
    .addOption(
      new Option('--limit <n>', 'show at most this many commits').argParser((value: string) => {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
        return n;
      }),
    )
    .addOption(outputOption())
    .addOption(colorOption())
    .action(runs(ctx, () => import('../commits.js'), (m) => m.commits));
  helpAfter(
    cmd,
    [['The last 10 commits of shop-prod', 'steady commits --bucket my-steady-specs --prefix shop-prod --limit 10']],
    'Exit codes: 0 listed, 1 S3 failure, 2 usage error (including no region).',
  );
}
