import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gm;
// The pure core may use these packages and node built-ins: nothing that does I/O. croner only
// evaluates cron expressions here (model/schedule-expression.ts); its timers are never started.
const ALLOWED_PACKAGES = new Set(['zod', 'node:crypto', 'croner']);

/** Every local module `entry` reaches through its imports, with the packages each one imports. */
function reach(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const packages: string[] = [];
    seen.set(file, packages);
    for (const [, spec] of source.matchAll(IMPORT)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.push(spec);
    }
  };
  visit(entry);
  return seen;
}

describe('the planner', () => {
  const modules = reach(join(here, 'plan.ts'));

  it('reaches only pure modules: no AWS SDK, no I/O packages', () => {
    const offenders = [...modules].flatMap(([file, pkgs]) => pkgs.filter((p) => !ALLOWED_PACKAGES.has(p)).map((p) => `${relative(root, file)} imports ${p}`));
    expect(offenders).toEqual([]);
  });

  it('is synchronous', () => {
    const offenders = [...modules].filter(([file]) => /\basync\b|\bawait\b|Promise</.test(readFileSync(file, 'utf8'))).map(([file]) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('stays under controller/plan, controller/model and the spec schema', () => {
    const outside = [...modules.keys()].map((f) => relative(root, f)).filter((f) => !/^controller\/(plan|model)\/|^controller\/spec\/(schema|ecs-fields)\.ts$/.test(f));
    expect(outside).toEqual([]);
  });
});
