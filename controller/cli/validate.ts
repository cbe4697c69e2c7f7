/**
 * `steady validate [PATH...]`: loads a spec set the way the controller does and reports every
 * problem with file:line:column. Exit code 0 when the set is valid, 1 when it is not.
 */
import { stringify } from 'yaml';
import { formatProblem, loadSpecPaths, problemCount, problemLocation, renderingNote, type EnvironmentSpecs, type SpecProblem } from '../spec/load.js';
import { createOutput, plural, type OutputFormat } from './output.js';
import { FORMAT_VERSION, type CliContext } from './context.js';

interface ValidateOptions {
  output: OutputFormat;
  showDefaults?: boolean;
  allowEmpty?: boolean;
}

/** `steady validate [PATH...]` (its definition is commands/validate.ts). */
export async function validate(ctx: CliContext, paths: string[], options: ValidateOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const { color } = out;
  const result = await loadSpecPaths(paths, { allowEmpty: options.allowEmpty });
  const problems = result.ok ? [] : result.problems;
  const environments = result.ok ? result.specSet.environments : [];

  if (out.format === 'json') {
    out.json({
      formatVersion: FORMAT_VERSION,
      command: 'validate',
      exitCode: result.ok ? 0 : 1,
      ...(result.ok ? {} : { error: { kind: 'invalidSpecs', message: `${plural(problems.length, 'problem')} in the specs`, problems } }),
      ok: result.ok,
      problems,
      environments: environments.map((env) => ({
        name: env.name,
        services: env.services.map((d) => d.metadata.name),
        migrations: env.migrations.map((d) => d.metadata.name),
        scheduledTasks: env.scheduledTasks.map((d) => d.metadata.name),
        aliases: env.aliases.map((d) => d.metadata.name),
        ...(options.showDefaults ? { documents: documentsOf(env) } : {}),
      })),
    });
    return result.ok ? 0 : 1;
  }

  if (!result.ok) {
    for (const p of problems) out.line(colorProblem(p, color));
    out.line(color.red(problemCount(problems)));
    return 1;
  }

  const resources = environments.reduce((n, env) => n + env.services.length + env.migrations.length + env.scheduledTasks.length + env.aliases.length, 0);
  const summary = color.green(`${plural(environments.length, 'environment')}, ${plural(resources, 'resource')} valid`);
  if (options.showDefaults) {
    // stdout stays a clean YAML stream that can be saved or piped; the summary goes to stderr.
    out.line(environments.flatMap(documentsOf).map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n').trimEnd());
    out.note(summary);
    return 0;
  }
  const width = Math.max(0, ...environments.map((env) => env.name.length));
  for (const env of environments) {
    const counts = [
      plural(env.services.length, 'service'),
      plural(env.migrations.length, 'migration'),
      ...(env.scheduledTasks.length > 0 ? [plural(env.scheduledTasks.length, 'scheduled task')] : []),
      plural(env.aliases.length, 'alias record'),
    ].join(', ');
    out.line(`${color.green('✓')} ${color.bold(env.name.padEnd(width))}  ${counts}`);
  }
  out.line(summary);
  return 0;
}

/** The environment's documents in the order a reader expects: the Environment first. */
function documentsOf(env: EnvironmentSpecs): unknown[] {
  return [env.environment, ...env.services, ...env.migrations, ...env.scheduledTasks, ...env.aliases];
}

/** A problem as `formatProblem` writes it, its location and field coloured on a terminal. */
export function colorProblem(p: SpecProblem, color: ReturnType<typeof createOutput>['color']): string {
  if (!color.isColorSupported) return formatProblem(p);
  return `${color.cyan(problemLocation(p))} ${p.path ? `${color.bold(p.path)}: ` : ''}${p.message}${color.dim(renderingNote(p))}`;
}
