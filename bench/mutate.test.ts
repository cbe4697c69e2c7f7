import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountAreas, functionRanges, readEquivalents, renderAreas, RULE_AREAS } from './mutation-areas.js';
import { measuredOnly, record, renderScores, type Summary } from './mutate.js';

// `npm run mutate` folds each Stryker report into bench/results/mutation.json and renders
// docs/mutation.md's scores from it: a run of some files must keep the other files' scores, and a
// folder meets its target only when every engine file in it was measured.

const mutant = (status: string, line: number, mutatorName = 'ConditionalExpression', replacement = 'true') => ({
  status,
  mutatorName,
  replacement,
  location: { start: { line, column: 4 } },
});
const run = { tests: 'controller/plan', commit: 'abc1234', measuredAt: '2026-12-03T19:00:00.000Z', load: '1.0→2.0' };

/** A checkout with the five folders, plan/ holding a.ts, b.ts and their test (which is no engine file). */
async function checkout(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'steady-mutate-'));
  for (const folder of ['plan', 'model', 'state', 'converge', 'source']) await mkdir(path.join(root, 'controller', folder), { recursive: true });
  for (const f of ['a.ts', 'b.ts', 'a.test.ts', 'testkit.ts']) await writeFile(path.join(root, 'controller/plan', f), '');
  return root;
}

describe('the mutation summary', () => {
  it('a report replaces only the files it measured, and lists each survivor and uncovered mutant by place', () => {
    const before: Summary = record({}, { files: { 'controller/plan/a.ts': { mutants: [mutant('Survived', 3)] }, 'controller/plan/b.ts': { mutants: [mutant('Killed', 1)] } } }, run);
    const after = record(before, { files: { 'controller/plan/a.ts': { mutants: [mutant('Killed', 3), mutant('NoCoverage', 9, 'StringLiteral', '""'), mutant('Survived', 7), mutant('Timeout', 1)] } } }, { ...run, commit: 'def5678' });
    expect(after['plan/b.ts']).toEqual(before['plan/b.ts']);
    expect(after['plan/a.ts']).toMatchObject({ killed: 1, timeout: 1, survived: 1, noCoverage: 1, commit: 'def5678', survivors: ['7:4 ConditionalExpression → true'], uncovered: ['9:4 StringLiteral → ""'] });
  });

  it('a run of some files leaves the entries of the files it did not mutate, though the report lists them; a file with no mutants is measured', async () => {
    const root = await checkout();
    const before = record({}, { files: { 'controller/plan/a.ts': { mutants: [mutant('Survived', 3)] } } }, run);
    const report = { files: { 'controller/plan/a.ts': { mutants: [mutant('Killed', 3)] }, 'controller/plan/b.ts': { mutants: [mutant('Killed', 1)] } } };
    const after = record(before, measuredOnly(report, 'plan', ['b.ts'], root), { ...run, commit: 'def5678' });
    expect(after['plan/a.ts']).toEqual(before['plan/a.ts']);
    expect(after['plan/b.ts']).toMatchObject({ killed: 1, commit: 'def5678' });
    const whole = record({}, measuredOnly({ files: { 'controller/plan/a.ts': { mutants: [mutant('Killed', 3)] } } }, 'plan', undefined, root), run);
    expect(whole['plan/b.ts']).toMatchObject({ killed: 0, survived: 0, noCoverage: 0, timeout: 0 });
  });

  it('a folder meets its target only when every engine file in it is measured', async () => {
    const root = await checkout();
    const a = record({}, { files: { 'controller/plan/a.ts': { mutants: [mutant('Killed', 1)] } } }, run);
    const partial = renderScores(a, root);
    expect(partial).toContain('| plan/ | 100.0% | ≥ 85% (**not met**) | 1 | 0 | 0 | 0 | b.ts |');
    expect(partial).toContain('| plan/b.ts | not measured |');
    expect(partial).not.toContain('testkit.ts');
    expect(partial).not.toContain('a.test.ts');

    const whole = record(a, { files: { 'controller/plan/b.ts': { mutants: [mutant('Killed', 1), mutant('Killed', 2), mutant('Survived', 3), mutant('Killed', 4), mutant('Killed', 5), mutant('Killed', 6)] } } }, run);
    expect(renderScores(whole, root)).toContain('| plan/ | 85.7% | ≥ 85% (met) | 6 | 0 | 1 | 0 | — |');
    expect(renderScores(whole, root)).toContain('| plan/b.ts | 83.3% | 5 | 0 | 1 | 0 | controller/plan | 2026-12-03 19:00 UTC, abc1234, load 1.0→2.0 |');
  });
});

describe('the rule areas of the mutation summary', () => {
  const source = [
    'export function owned(tag: string) {', // 1
    "  return tag === 'x';", // 2
    '}', // 3
    'const helper = (a: number) =>', // 4
    '  a + 1;', // 5
    'class Lease {', // 6
    '  release() {', // 7
    '    return 1;', // 8
    '  }', // 9
    '}', // 10
  ].join('\n');

  it('finds each named function, arrow constant and method with its lines', () => {
    const ranges = functionRanges(source);
    expect(ranges.get('owned')).toEqual([[1, 3]]);
    expect(ranges.get('helper')).toEqual([[4, 5]]);
    expect(ranges.get('release')).toEqual([[7, 9]]);
  });

  it('counts only the mutants inside the listed functions, splits listed equivalents from open ones, and flags a name the file lost', async () => {
    const root = await checkout();
    await writeFile(path.join(root, 'controller/plan/a.ts'), source);
    const summary = { 'plan/a.ts': { survivors: ['2:9 ConditionalExpression → true', '5:3 ArithmeticOperator → a - 1', '8:5 BlockStatement → {}'], uncovered: ['8:12 NumericLiteral → 0'] } };
    const equivalents = { 'plan/a.ts': { '2:9 ConditionalExpression → true': 'no tag is ever x', '9:1 Gone → y': 'killed since' } };
    const [owned, lease] = accountAreas(summary, equivalents, { ownership: { 'plan/a.ts': ['owned', 'renamed'] }, leases: { 'plan/a.ts': ['release'] } }, root);
    expect(owned).toMatchObject({ missing: ['renamed'], equivalent: [{ mutant: '2:9 ConditionalExpression → true', why: 'no tag is ever x' }], open: [] });
    expect(lease).toMatchObject({ equivalent: [], open: ['8:5 BlockStatement → {}', '8:12 NumericLiteral → 0'] });

    const text = renderAreas(summary, equivalents, { leases: { 'plan/a.ts': ['release'] } }, root);
    expect(text).toContain('| leases | plan/a.ts | release | 0 | **2** |');
    expect(text).toContain('- leases, plan/a.ts 8:5 BlockStatement → {}');
    expect(text).toContain('- plan/a.ts `9:1 Gone → y`: killed since (*not reported by the last run of the file: killed since, or its line moved*)');
    expect(renderAreas(summary, equivalents, { ownership: { 'plan/a.ts': ['owned'] } }, root)).toContain('No mutant is open in a rule area.');
  });

  it("every function the rule areas name is in steady's code", () => {
    const missing = accountAreas({}, {}, RULE_AREAS, path.resolve(import.meta.dirname, '..')).filter((r) => r.missing.length > 0);
    expect(missing).toEqual([]);
  });
});

describe('the equivalents list', () => {
  it('a list that is not JSON is refused with its name, not taken for an empty one', async () => {
    const root = await checkout();
    await mkdir(path.join(root, 'bench/results'), { recursive: true });
    await writeFile(path.join(root, 'bench/results/mutation-equivalents.json'), '{ "plan/a.ts": { "1:1 X": "why", } }');
    expect(() => readEquivalents(root)).toThrow(/^bench\/results\/mutation-equivalents\.json: not valid JSON \(.+\); it maps file → mutant → why$/);
    expect(readEquivalents(path.join(root, 'nowhere'))).toEqual({});
  });
});
