/**
 * The rule areas of issue 26: the functions where no mutant may survive (ownership, leases,
 * migration gating, results and timeouts, rollout-failure handling, image resolution, publishing),
 * and the equivalent mutants listed in bench/results/mutation-equivalents.json. `npm run mutate`
 * renders both into docs/mutation.md from the last run of each file (bench/results/mutation.json):
 * every mutant no test noticed inside a rule-area function is either listed as equivalent, with
 * why, or shown as open.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Per area, per file: the functions (by name; `*` for the whole file) that implement the rule. */
export type RuleAreas = Record<string, Record<string, string[]>>;
/** Per file, per mutant (exactly as in mutation.json: `line:column Mutator → replacement`): why it is equivalent. */
export type Equivalents = Record<string, Record<string, string>>;
/** What the area report needs of a file's last run. */
export interface NotKilled {
  survivors: string[];
  uncovered: string[];
}

export const EQUIVALENTS = 'bench/results/mutation-equivalents.json';

export const RULE_AREAS: RuleAreas = {
  ownership: {
    'plan/common.ts': ['ownedBy'],
    'plan/service.ts': ['resolveService', 'planService'],
    'plan/alias.ts': ['ownerRecordName', 'ownerRecordValue', 'parseOwner', 'adoptAsIs', 'planAlias'],
    'plan/scheduled.ts': ['scheduleMarker', 'checkGroup', 'scheduleOwner', 'planScheduledTasks'],
    'plan/maintenance.ts': ['distributionSays', 'planDistribution', 'planRule'],
  },
  leases: {
    'state/lease.ts': ['*'],
    'state/hold.ts': ['*'],
    'state/dynamo.ts': ['isConditionFailed', 'toStateStoreError', 'dynamoCall'],
    'state/store.ts': ['acquireLease', 'readLease'],
  },
  'migration gating': {
    'plan/service.ts': ['gatingOf', 'blockedByMigration', 'blockedBy', 'planCreate', 'planRollingUpdate', 'updateAction'],
    'plan/migration.ts': ['*'],
    'plan/desired.ts': ['migrationVersion'],
    // The executor's side: nothing runs before what it depends on has succeeded.
    'converge/schedule.ts': ['schedule'],
    'converge/converge.ts': ['converge', 'executeUnit', 'execute'],
  },
  'results and timeouts': {
    'converge/migration.ts': ['*'],
    'converge/records.ts': ['unitsOf', 'changeRecords', 'waitInsync'],
    // The migration ledger, and the pass history that says what each pass did.
    'state/store.ts': [
      'claimMigration', 'getMigration', 'listMigrations', 'recordMigrationTask', 'recordMigrationResult',
      'savePass', '#putSnapshot', '#lastError', '#closeDrifts', '#passItem', '#environmentItem', '#statusItems', 'compactChain', 'compactDiff', 'clip', 'withReport',
      'lastPass', 'recentPasses', 'listPasses', 'listDrift', '#history', 'passById', 'loadSnapshot', 'loadSnapshots',
    ],
  },
  'rollout-failure handling': {
    'plan/service.ts': ['parseRolloutTag', 'rolledBack', 'planRolledBack', 'chooseRevision', 'serviceRuntimeStatus'],
    'plan/bluegreen.ts': ['planBlueGreen', 'planRunning', 'servingRevision', 'parseRecord', 'recordValue', 'deploymentFailedMessage'],
    'converge/codedeploy.ts': ['*'],
    'converge/service.ts': ['rolloutTags', 'createService', 'updateService'],
  },
  'image resolution': { 'model/image.ts': ['*'], 'plan/common.ts': ['imageProblemStatus'] },
  publishing: {
    'source/publish.ts': ['*'],
    'source/s3.ts': ['s3Call', 'isNotFound', 'readObject', 'writeObject', 'listKeys'],
    'source/commit.ts': ['manifestPathProblem', 'sha256', 'commitIdOf', 'encodeDocument', 'decodeManifest'],
  },
};

/** Each named function of a TypeScript source (declarations, methods, `const f = () =>`): its first and last line, 1-based. */
export function functionRanges(text: string): Map<string, [number, number][]> {
  const source = ts.createSourceFile('f.ts', text, ts.ScriptTarget.Latest, true);
  const ranges = new Map<string, [number, number][]>();
  const line = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const add = (name: string, node: ts.Node) => ranges.set(name, [...(ranges.get(name) ?? []), [line(node.getStart(source)), line(node.getEnd())]]);
  const visit = (node: ts.Node) => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node)) && node.name) add(node.name.getText(source), node);
    else if (ts.isConstructorDeclaration(node)) add('constructor', node);
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
      add(node.name.text, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return ranges;
}

export interface AreaFile {
  area: string;
  file: string;
  functions: string[];
  /** Names the area lists that the file no longer has (renamed or removed): the area must be updated. */
  missing: string[];
  equivalent: { mutant: string; why: string }[];
  open: string[];
}

/** The mutants left undetected in each rule area's functions, split into listed equivalents and open ones. */
export function accountAreas(summary: Record<string, NotKilled>, equivalents: Equivalents, areas: RuleAreas, root: string): AreaFile[] {
  const out: AreaFile[] = [];
  for (const [area, files] of Object.entries(areas)) {
    for (const [file, functions] of Object.entries(files)) {
      const src = path.join(root, 'controller', file);
      const ranges = existsSync(src) ? functionRanges(readFileSync(src, 'utf8')) : new Map<string, [number, number][]>();
      const whole = functions.includes('*');
      const missing = whole ? [] : functions.filter((f) => !ranges.has(f));
      const inside = (mutant: string) => {
        const at = Number(mutant.split(':')[0]);
        return whole || functions.some((f) => (ranges.get(f) ?? []).some(([a, b]) => at >= a && at <= b));
      };
      const last = summary[file];
      const notKilled = last ? [...last.survivors, ...last.uncovered].filter(inside) : [];
      const listed = equivalents[file] ?? {};
      out.push({
        area,
        file,
        functions,
        missing,
        equivalent: notKilled.filter((m) => listed[m] !== undefined).map((m) => ({ mutant: m, why: listed[m]! })),
        open: notKilled.filter((m) => listed[m] === undefined),
      });
    }
  }
  return out;
}

/** docs/mutation.md's rule-area table, the open mutants in them, and the equivalents list (stale entries flagged). */
export function renderAreas(summary: Record<string, NotKilled>, equivalents: Equivalents, areas: RuleAreas, root: string): string {
  const rows = accountAreas(summary, equivalents, areas, root);
  const lines = [
    '### Rule areas: the mutants no test detected there',
    '',
    '| rule area | file | functions | equivalent (listed) | open |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.area} | ${r.file} | ${r.functions.join(', ')}${r.missing.length ? ` (**not found: ${r.missing.join(', ')}**)` : ''} | ${r.equivalent.length} | ${r.open.length === 0 ? '0' : `**${r.open.length}**`} |`),
    '',
  ];
  const open = rows.flatMap((r) => r.open.map((m) => `- ${r.area}, ${r.file} ${m}`));
  lines.push(open.length === 0 ? 'No mutant is open in a rule area.' : `Open in rule areas (${open.length}):\n\n${open.join('\n')}`, '');
  lines.push('### Equivalent mutants listed in bench/results/mutation-equivalents.json', '');
  for (const [file, listed] of Object.entries(equivalents)) {
    const last = summary[file];
    const reported = new Set(last ? [...last.survivors, ...last.uncovered] : []);
    for (const [mutant, why] of Object.entries(listed)) {
      lines.push(`- ${file} ${code(mutant)}: ${why}${reported.has(mutant) ? '' : ' (*not reported by the last run of the file: killed since, or its line moved*)'}`);
    }
  }
  return lines.join('\n');
}

/** Inline code that survives a backtick in the mutant (a template literal). */
const code = (s: string) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

export function readEquivalents(root: string): Equivalents {
  const file = path.join(root, EQUIVALENTS);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Equivalents;
  } catch (err) {
    throw new Error(`${EQUIVALENTS}: not valid JSON (${err instanceof Error ? err.message : String(err)}); it maps file → mutant → why`);
  }
}
