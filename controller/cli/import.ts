/**
 * `steady import --cluster C`: writes specs for what already runs in an ECS cluster — its services
 * and the revisions they run, their target groups, the Route 53 aliases that point at their load
 * balancers, and the task-definition families named with `--migrations` — one YAML file per
 * resource, each `adopt: true`, with comments for what import could not decide. It changes nothing
 * in AWS. `steady plan` on the written specs plans only the adoption (tags), unless a comment says
 * otherwise. Exit codes: 0 written, 1 failed (nothing written) or written with problems, 2 usage.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { importReads } from '../import/aws.js';
import { readCluster } from '../import/read.js';
import { importedDocs, type ImportedDoc } from '../import/specs.js';
import { renderDoc } from '../import/yaml.js';
import { formatProblem, parseSpecFiles } from '../spec/load.js';
import { resolveTarget } from './engine.js';
import { EXIT_FAILED, EXIT_OK, type CliContext } from './main.js';
import { createOutput, outputOption, plural, type OutputFormat } from './output.js';

interface ImportCommandOptions {
  cluster: string;
  service?: string[];
  region?: string;
  out?: string;
  env?: string;
  migrations?: string[];
  sim?: string;
  force?: boolean;
  output: OutputFormat;
}

/** Adds the `import` command to the program. */
export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .summary('write specs for what already runs in an ECS cluster, to adopt it')
    .description(
      'Read an ECS cluster (its services, the task definitions they run, their target groups and the Route 53 aliases that ' +
        'point at their load balancers; with --migrations, one-off task families) and write one spec file per resource, ' +
        'each with adopt: true and comments for anything import could not decide. Nothing in AWS is changed. Then: review, ' +
        '`steady validate DIR`, `steady plan DIR` (expect only adoption), publish.\n\nExit codes: 0 written, 1 failed or ' +
        'written with problems to fix, 2 usage error.',
    )
    .requiredOption('--cluster <name>', 'the ECS cluster to import')
    .option('--service <name...>', 'only these services (default: every service of the cluster)')
    .option('--region <region>', 'the AWS region (default: AWS_REGION, or the simulated account\'s)')
    .option('--out <dir>', 'where to write the files (default: specs/<environment>)')
    .option('--env <name>', 'the Environment to name (default: the one steady already tags the services with, else the cluster name)')
    .option('--migrations <family...>', 'task-definition families of one-off tasks to import as Migrations')
    .option('--force', 'overwrite files that exist')
    .addOption(new Option('--sim <fixture>', 'read a simulated AWS account seeded from this YAML fixture instead of AWS'))
    .addOption(outputOption())
    .action(async (options: ImportCommandOptions) => {
      ctx.exitCode = await runImport(options, ctx);
    });
}

async function runImport(options: ImportCommandOptions, ctx: CliContext): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const target = await resolveTarget(options);
  const region = options.region ?? target.account?.region ?? ctx.io.env.AWS_REGION ?? ctx.io.env.AWS_DEFAULT_REGION;
  if (!region) {
    out.note('steady import: give --region (or set AWS_REGION)');
    return EXIT_FAILED;
  }
  if (options.output === 'text') out.note(`importing ECS cluster ${options.cluster} from ${target.describe}…`);
  const { adapters, clients } = target.adapters(region);
  const reads = importReads(clients, adapters.codedeploy);
  const cluster = await readCluster({ ...adapters, reads }, { cluster: options.cluster, services: options.service, migrations: options.migrations }, region);
  const { env, docs, skipped } = importedDocs(cluster, options.env);
  const dir = options.out ?? path.join('specs', env);
  const files = docs.map((d) => ({ doc: d, path: path.join(dir, d.file), text: renderDoc(d) }));
  const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path);
  if (existing.length > 0 && !options.force) {
    out.note(`steady import: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (--force overwrites)`);
    return EXIT_FAILED;
  }
  const loaded = parseSpecFiles(files.filter((f) => !f.doc.commentedOut).map((f) => ({ path: f.path, content: f.text })));
  const problems = loaded.ok ? [] : loaded.problems.map(formatProblem);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(f.path, f.text);

  if (out.format === 'json') {
    out.json({
      environment: env,
      directory: dir,
      files: files.map((f) => ({ path: f.path, kind: f.doc.kind, name: f.doc.name, notes: notesOf(f.doc), ...(f.doc.commentedOut ? { notImported: f.doc.commentedOut } : {}) })),
      skipped,
      problems,
    });
  } else {
    printSummary(out, { env, dir, files, skipped, problems, sim: options.sim });
  }
  return problems.length > 0 ? EXIT_FAILED : EXIT_OK;
}

const notesOf = (d: ImportedDoc) => [...d.header.slice(1), ...d.notes.map((n) => n.text)];

function printSummary(
  out: ReturnType<typeof createOutput>,
  r: { env: string; dir: string; files: { doc: ImportedDoc; path: string }[]; skipped: { name: string; why: string }[]; problems: string[]; sim?: string },
): void {
  const { color } = out;
  out.line(`${color.bold(`Environment ${r.env}`)}: ${plural(r.files.length, 'file')} in ${r.dir}`);
  for (const f of r.files) {
    const mark = f.doc.commentedOut ? color.yellow('!') : color.green('+');
    out.line(`  ${mark} ${f.path}  ${color.dim(`${f.doc.kind}/${f.doc.name}`)}`);
    if (f.doc.commentedOut) out.line(`      ${color.yellow(`not imported: ${f.doc.commentedOut}; a draft to complete`)}`);
    const notes = f.doc.notes.length;
    if (notes > 0) out.line(`      ${color.dim(`${plural(notes, 'comment')} to review`)}`);
  }
  for (const s of r.skipped) out.line(`  ${color.yellow('-')} service ${s.name} not imported: ${s.why}`);
  if (r.problems.length > 0) {
    out.line();
    out.line(color.red(`The written specs have ${plural(r.problems.length, 'problem')} to fix before steady can use them:`));
    for (const p of r.problems) out.line(`  ${p}`);
    return;
  }
  out.line();
  out.line(`Next: review the comments, then ${color.cyan(`steady plan ${r.dir}${r.sim ? ` --sim ${r.sim}` : ''}`)}: expect only the adoption of each resource.`);
}
