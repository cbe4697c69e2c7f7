/**
 * `steady plan --output markdown`: the example environments' plan against the committed
 * expected file (a snapshot a reviewer reads: regenerate it with
 * `npx steady plan specs/ --sim controller/sim/fixtures/examples.yaml -o markdown > controller/report/testdata/plan-examples.md`),
 * rendered to HTML by a Markdown library (marked, GitHub-flavoured) to prove it is well-formed;
 * a secret seen in AWS redacted; values that look like Markdown or HTML shown as they are; and a
 * 2,000-resource plan cut below GitHub's comment limit.
 */
import { readFileSync } from 'node:fs';
import { Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import type { ActualState } from '../model/actual.js';
import { runCli } from '../testing/cli.js';
import { shopPass } from '../testing/pass-fixtures.js';
import { escapeHtml } from './email.js';
import { GITHUB_COMMENT_LIMIT, renderPlanMarkdown } from './markdown.js';
import { buildReport, type Report, type ResourceReport } from './model.js';

const EXPECTED = new URL('./testdata/plan-examples.md', import.meta.url);
const marked = new Marked({ gfm: true });
const html = (md: string) => marked.parse(md, { async: false });

/** The text of every cell of every table, row by row (header first), as the browser would show it. */
function tables(page: string): string[][][] {
  const decode = (s: string) => s.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...page.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(([, t]) =>
    [...t.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map(([, c]) => decode(c))),
  );
}

const count = (s: string, what: string) => s.split(what).length - 1;

describe('steady plan --output markdown', () => {
  it('prints the example environments as the committed expected file says, and exits 2', async () => {
    const { code, stdout } = await runCli('plan', 'specs/', '--sim', 'controller/sim/fixtures/examples.yaml', '-o', 'markdown');

    expect(code).toBe(2);
    expect(stdout).toBe(readFileSync(EXPECTED, 'utf8'));
  });

  it('is well-formed: every table has its columns in every row, every <details> closes, every diff reads back whole', async () => {
    const md = readFileSync(EXPECTED, 'utf8');
    const page = html(md);
    const plan = JSON.parse((await runCli('plan', 'specs/', '--sim', 'controller/sim/fixtures/examples.yaml', '-o', 'json')).stdout);
    const changed = plan.environments.flatMap((e: { resources: ResourceReport[] }) => e.resources.filter((r) => r.kind !== 'Wiring' && r.outcome !== 'synced'));

    expect(count(page, '<details>')).toBe(changed.length);
    expect(count(page, '</details>')).toBe(changed.length);
    const all = tables(page);
    // The summary table, then one field table per resource.
    expect(all.length).toBe(1 + changed.length);
    for (const t of all) for (const row of t) expect(row.length).toBe(t[0].length);
    expect(all[0].slice(1).map((row) => row[0])).toEqual(['messaging-prod', 'shop-prod', 'shop-staging']);
    const rows = all.slice(1).flatMap((t) => t.slice(1));
    const shorten = (v?: string) => (v === undefined ? '(none)' : v.replace(/sha256:([0-9a-f]{12})[0-9a-f]{52}/g, 'sha256:$1…'));
    for (const r of changed) for (const d of r.drift) expect(rows).toContainEqual([d.path, shorten(d.before), shorten(d.after)]);
    expect(page).toContain(`<summary><code>~ Service/messaging-api</code> would change · 1 field · 3 actions</summary>`);
  });

  it('never shows a secret seen in AWS: the same redaction as every report', () => {
    const secret = 'hunter2-do-not-print';
    const result = shopPass((actual: ActualState) => {
      const td = Object.values(actual.taskDefinitions).find((t) => t.family === 'shop-api')!;
      td.content.containerDefinitions[0].environment = [{ name: 'DB_PASSWORD', value: secret }, { name: 'DEPLOY_KEY_ID', value: 'AKIAQ3EGTHLYDONOTPRN' }];
    }, { mode: 'observe', dryRun: true });
    expect(JSON.stringify(result)).toContain(secret);

    const md = renderPlanMarkdown([buildReport(result)], { exitCode: 2 });

    expect(md).not.toMatch(/hunter2|AKIAQ3EGTHLYDONOTPRN/);
    expect(tables(html(md)).flat()).toContainEqual(['taskDefinition.containers[app].environment[DB_PASSWORD]', '[redacted]', '(none)']);
  });

  it('shows values and messages that look like Markdown or HTML as they are', () => {
    const report = buildReport(shopPass(() => undefined, { mode: 'observe', dryRun: true }));
    const nasty = '`a|b` <script>alert(1)</script> *x* [l](http://e) ``` |';
    const resource: ResourceReport = {
      ...({} as ResourceReport),
      resource: 'Service/api',
      kind: 'Service',
      name: 'api',
      outcome: 'failed',
      change: 'update',
      phase: 'Failed',
      reason: 'ImageNotFound',
      message: `image ${nasty} not found`,
      drift: [{ path: 'taskDefinition.containers[app].command', before: nasty, after: 'line one\nline two' }],
      actions: [{ id: 'a', kind: 'UpdateService', summary: `update service api: ${nasty}`, state: 'failed', message: '<b>refused</b>' }],
      notes: [],
    };
    const md = renderPlanMarkdown([{ ...report, resources: [resource], verdict: 'failed' } as Report], { exitCode: 1 });
    const page = html(md);

    // No tag opens, no Markdown link forms (a bare URL may still be linked, as GitHub links it).
    expect(page).not.toMatch(/<script>|<b>refused|>l<\/a>/);
    expect(tables(page)[1][1]).toEqual(['taskDefinition.containers[app].command', nasty, 'line one ⏎ line two']);
    expect(page).toContain(escapeHtml('<script>alert(1)</script>').replace(/&#39;/g, "'").replace(/&quot;/g, '"'));
    expect(page).toContain('<details open>');
  });

  it('cuts a 2,000-resource plan below the comment limit, whole resources at a time, and says how many it left out', () => {
    const report = buildReport(shopPass((actual) => {
      const td = Object.values(actual.taskDefinitions).find((t) => t.family === 'shop-api')!;
      td.content.containerDefinitions[0].image = `${td.content.containerDefinitions[0].image}-old`;
    }));
    const template = report.resources.find((r) => r.resource === 'Service/api')!;
    expect(template.drift.length).toBeGreaterThan(0);
    const resources = Array.from({ length: 2000 }, (_, i) => ({ ...template, resource: `Service/api-${i}`, name: `api-${i}`, outcome: 'wouldChange' as const }));
    const big: Report = { ...report, kind: 'plan', verdict: 'changesPending', resources, counts: { ...report.counts, resources: { ...report.counts.resources, wouldChange: 2000, synced: 0 } } };

    const md = renderPlanMarkdown([big], { exitCode: 2 });

    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT * 0.9);
    const shown = count(md, '<details>');
    const left = Number(/…and (\d+) more resources not shown here: run `steady plan` for the whole plan\./.exec(md)?.[1]);
    expect(shown).toBeGreaterThan(50);
    expect(shown + left).toBe(2000);
    expect(md).toContain('2000 resources to change');
    const page = html(md);
    expect(count(page, '<details>')).toBe(count(page, '</details>'));
    expect(md.endsWith('\n')).toBe(true);
  });
});
