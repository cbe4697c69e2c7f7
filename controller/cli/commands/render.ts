/** `steady render`: its help, options and examples; the code is ../render.ts. */
import type { Command } from 'commander';
import { runs, type CliContext } from '../context.js';
import { colorOption, DEFAULT_PATHS, envOption, helpAfter, outputOption } from './options.js';

export function defineRender(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('render')
    .summary('print the documents of each environment with its overlay applied')
    .description(
      'Print the documents of each environment as steady reconciles them: a base with its overlay applied ' +
        '(or a document written whole), before defaults. Every value an overlay wrote carries a comment naming the ' +
        'overlay file and line; a field it removed is named on the field that held it. The set is checked first, ' +
        'exactly as steady validate checks it. Reads only files: no AWS access.',
    )
    .argument('[paths...]', 'spec files, or directories searched recursively for *.yaml and *.yml', DEFAULT_PATHS)
    .addOption(envOption())
    .option('--allow-empty', 'accept a spec set with no documents, as steady validate does')
    .addOption(outputOption())
    .addOption(colorOption())
    .action(runs(ctx, () => import('../render.js'), (m) => m.render));
  helpAfter(
    cmd,
    [
      ['Every environment of specs/, overlays applied', 'steady render'],
      ['One environment: what its overlay changes in the base', 'steady render specs/shop --env shop-prod'],
      ['For machines: each value an overlay wrote, with its file and line', 'steady render specs/shop -o json'],
    ],
    'Exit codes: 0 rendered, 1 invalid specs or an unknown environment, 2 usage error.',
  );
}
