/** `steady validate`: its help, options and examples; the code is ../validate.ts. */
import type { Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { colorOption, DEFAULT_PATHS, helpAfter, outputOption } from './options.js';

export function defineValidate(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('validate')
    .summary('check spec files and report every problem')
    .description(
      'Check spec files the way the controller loads them: YAML syntax, the schema of each kind, and the rules ' +
        'over the whole set (names, environments, references, resources two specs would fight over). ' +
        'Every problem is printed as "file:line:column field: message". Reads only files: no AWS access.',
    )
    .argument('[paths...]', 'spec files, or directories searched recursively for *.yaml and *.yml', DEFAULT_PATHS)
    .addOption(outputOption())
    .option('--show-defaults', 'print the documents with every default filled in (YAML; with --output json, as "documents")')
    .option('--allow-empty', 'accept a spec set with no documents, or files holding only comments (refused otherwise: it would stop steady reconciling what they held)')
    .addOption(colorOption())
    .action(runs(ctx, () => import('../validate.js'), (m) => m.validate));
  helpAfter(
    cmd,
    [
      ['Check every spec under specs/ (the default)', 'steady validate'],
      ['Check one environment\'s folder and a single file', 'steady validate specs/shop specs/messaging/api.yaml'],
      ['See the documents as steady reads them, defaults filled in', 'steady validate specs/shop --show-defaults'],
      ['Annotate a CI run: the problems as JSON', 'steady validate -o json'],
    ],
    'Exit codes: 0 valid, 1 invalid, 2 usage error.',
  );
}
