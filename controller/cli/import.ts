/**
 * `steady import --cluster C`: writes specs for what already runs in an ECS cluster — its services
 * and the revisions they run, their target groups, the Route 53 aliases that point at their load
 * balancers, and the task-definition families named with `--migrations` — one YAML file per
 * resource, each `adopt: true`, with comments for what import could not decide. It changes nothing
 * in AWS. `steady plan` on the written specs plans only the adoption (tags), unless a comment says
 * otherwise. Exit codes: 0 written, 1 failed (nothing written) or written with problems, 2 usage.
 * Its definition (help, options) is commands/import.ts.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { clientRegion } from '../aws/region.js';
import { importReads } from '../import/aws.js';
import { readCluster } from '../import/read.js';
import { importedDocs, type ImportedDoc } from '../import/specs.js';
import { renderDoc } from '../import/yaml.js';
import { formatProblem, parseSpecFiles } from '../spec/load.js';
import { resolveTarget } from './engine.js';
import { REGION_SOURCES } from './commands/options.js';
import { EXIT_FAILED, EXIT_OK, type CliContext } from './context.js';
import { createOutput, plural, type OutputFormat } from './output.js';

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

/** `steady import --cluster C` (its definition is commands/import.ts). */
export async function importCluster(ctx: CliContext, options: ImportCommandOptions): Promise<number> {
  const out = createOutput(ctx.io, options.output);
  const target = await resolveTarget(options);
  // The SDK's default chain (AWS_REGION, the profile) when neither --region nor --sim says it.
  const region = options.region ?? target.account?.region ?? (await clientRegion(new ECSClient({})));
  if (!region) ctx.usageError(`no AWS region for the cluster ${options.cluster}: it comes from ${REGION_SOURCES}`);
  if (options.output === 'text') out.note(`importing ECS cluster ${options.cluster} from ${target.describe}…`);
  const { adapters, clients } = target.adapters(region);
  const reads = importReads(clients, adapters.codedeploy);
  const cluster = await readCluster({ ...adapters, reads }, { cluster: options.cluster, services: options.service, migrations: options.migrations }, region);
  const { env, docs, skipped } = importedDocs(cluster, options.env);
  const dir = options.out ?? path.join('specs', env);
  const files = docs.map((d) => ({ doc: d, path: path.join(dir, d.file), text: renderDoc(d) }));
  const existing = files.filter((f) => existsSync(f.path)).map((f) => f.path);
  if (existing.length > 0 && !options.force) {
    out.note(`error: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (--force overwrites)`);
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
