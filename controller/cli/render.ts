/**
 * `steady render [PATH...] [--env NAME...]`: the documents of each environment as steady sees them
 * once overlays are applied, before defaults, with a comment on every value an overlay wrote (its
 * file and line). Checks the set exactly as `steady validate` does; an invalid set prints its
 * problems and nothing else. Exit codes: 0 rendered, 1 invalid specs or an unknown environment,
 * 2 usage error.
 */
import { formatPath } from '../spec/messages.js';
import { problemCount, renderSpecPaths, type SpecDocument } from '../spec/load.js';
import { printDocuments } from '../spec/print.js';
import { changesIn } from '../spec/sourced.js';
import { document, printFailure } from './json.js';
import type { CliContext } from './context.js';
import { createOutput, plural, type OutputFormat } from './output.js';
import { matchEnvironments } from './patterns.js';
import { colorProblem } from './validate.js';

interface RenderOptions {
  output: OutputFormat;
  env?: string[];
  allowEmpty?: boolean;
}

/** `steady render [PATH...]` (its definition is commands/render.ts). */
export async function render(ctx: CliContext, paths: string[], options: RenderOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const { result, documents } = await renderSpecPaths(paths, { allowEmpty: options.allowEmpty });
  if (!result.ok) {
    const { problems } = result;
    if (out.format === 'json') {
      out.json(document('render', 1, { error: { kind: 'invalidSpecs', message: `${plural(problems.length, 'problem')} in the specs`, problems }, ok: false, problems, environments: [] }));
    } else {
      for (const p of problems) out.line(colorProblem(p, out.color));
      out.line(out.color.red(problemCount(problems)));
    }
    return 1;
  }
  const names = result.specSet.environments.map((e) => e.name);
  // Names or patterns ('shop-*'); one that matches nothing is an error, never an empty answer.
  const { selected, unmatched: unknown } = matchEnvironments(names, options.env ?? []);
  if (unknown.length > 0) {
    const message = `no environment ${unknown.join(', ')} in the specs (there are: ${names.join(', ') || 'none'})`;
    return printFailure(out, 'render', 1, { kind: 'unknownEnvironment', message }, { ok: false, problems: [], environments: [] }, [`error: ${message}`]);
  }
  const chosen = options.env && options.env.length > 0 ? selected : names;
  const shown = documents.filter((d) => chosen.includes(d.environment));
  if (out.format === 'json') {
    const environments = chosen.map((name) => ({ name, documents: shown.filter((d) => d.environment === name).map(documentJson) }));
    out.json(document('render', 0, { ok: true, problems: [], environments }));
    return 0;
  }
  if (shown.length > 0) ctx.io.stdout.write(printDocuments(shown));
  return 0;
}

/** A document for machines: where it starts, what it is, and every value its overlay wrote or removed. */
function documentJson(d: SpecDocument) {
  const { changed, removed } = d.root ? changesIn(d.root) : { changed: [], removed: [] };
  return {
    kind: d.kind,
    name: d.name,
    source: d.start,
    document: d.input as Record<string, unknown>,
    changes: [
      ...changed.map((c) => ({ path: formatPath(c.path), change: 'set' as const, at: c.at })),
      ...removed.map((r) => ({ path: r.removal.list ? `${formatPath(r.path)}[${r.removal.what}]` : formatPath([...r.path, r.removal.what]), change: 'removed' as const, at: r.removal.at })),
    ],
  };
}
