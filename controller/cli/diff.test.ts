/**
 * `steady diff`: the example specs (flat messaging-prod; shop as a base and two overlays)
 * committed to a throwaway git repository, changed in its working tree, and compared with git (`--base`, no AWS at all) or with a commit published to a
 * local S3 server (`--from`). Some scenarios run the real binary (`node bin/steady.js`) in the
 * repository, with no AWS settings whatever; the rest run in-process.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Marked } from 'marked';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSpecStore } from '../source/testkit.js';
import { runBinary, runCli } from '../testing/cli.js';
import { SPECS_DIR } from '../testing/world.js';

let repo: string;
let specs: string;
let store: Awaited<ReturnType<typeof startSpecStore>>;

const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
const edit = (file: string, change: (text: string) => string) => writeFileSync(path.join(specs, file), change(readFileSync(path.join(specs, file), 'utf8')));

/** No AWS settings at all: no credentials, no region, and an endpoint nothing listens on. */
const NO_AWS = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_REGION: '', AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_S3: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };

beforeAll(async () => {
  repo = mkdtempSync(path.join(tmpdir(), 'steady-diff-'));
  specs = path.join(repo, 'specs');
  cpSync(SPECS_DIR, specs, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'before the specs');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'specs');
  store = await startSpecStore();
});
afterAll(async () => {
  rmSync(repo, { recursive: true, force: true });
  await store.close();
});
beforeEach(() => {
  git('checkout', '-q', '--', '.');
  git('clean', '-qfd');
});

describe('steady diff --base (git, no AWS)', () => {
  it('shows an image change in a base field by field, in every environment that renders it, with what it makes steady do, and exits 2 (the real binary, with no AWS settings)', async () => {
    edit('shop/base/api.yaml', (t) => t.replace('shop-api:latest', 'shop-api:2026.02.0'));

    const { code, stdout, stderr } = await runBinary(['diff', '--base', 'main'], { cwd: repo, env: NO_AWS });

    expect(stderr).toBe('');
    expect(code).toBe(2);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^specs\/ against git main \([0-9a-f]{12}\): 6 changed; 8 resources unchanged\.$/);
    expect(stdout.match(/^~ Service\/api {23}changed {2}a new task-definition revision and a rollout after db-migrate$/gm)).toHaveLength(2);
    expect(stdout.match(/^~ Migration\/db-migrate {14}changed {2}it runs again: a new version \(images, container or command\)$/gm)).toHaveLength(2);
    expect(lines).toContain('shop-prod');
    expect(lines).toContain('shop-staging');
    expect(stdout).toContain(
      '    taskDefinition.containers[app].image\n        123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:latest\n     -> 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api:2026.02.0\n',
    );
    expect(lines.at(-2)).toBe('Images, target groups and other names are compared as written: steady plan resolves them against AWS.');
  });

  it('shows an environment moved to another account as its account, role and external id changing, reading no account at all (the real binary, with no AWS settings)', async () => {
    // diff compares specs, never an environment's AWS: unlike plan, it assumes no role (there are no credentials to assume one with).
    edit('messaging/environment.yaml', (t) => t.replaceAll('210987654321', '410987654321').replace('externalId: steady-messaging', 'externalId: steady-messaging-2'));

    const { code, stdout, stderr } = await runBinary(['diff', '--base', 'main', '--env', 'messaging-prod'], { cwd: repo, env: NO_AWS });

    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
    expect(stdout.split('\n').slice(1, 9)).toEqual([
      '',
      'messaging-prod',
      '~ Environment/messaging-prod  changed',
      '    account: 210987654321 -> 410987654321',
      '    roleArn',
      '        arn:aws:iam::210987654321:role/steady-target',
      '     -> arn:aws:iam::410987654321:role/steady-target',
      '    externalId: steady-messaging -> steady-messaging-2',
    ]);
  });

  it('finds no change in a reordered environment map, a default written out or other units, and exits 0', async () => {
    edit('shop/base/api.yaml', (t) =>
      t.replace('          DD_SERVICE: shop-api\n          DD_AGENT_HOST: localhost\n', '          DD_AGENT_HOST: localhost\n          DD_SERVICE: shop-api\n').replace('memory: "1 GB"', 'memory: 1024'),
    );
    edit('shop/prod/overlay.yaml', (t) => t.replace('          desiredCount: 2\n', '          desiredCount: 2\n          platformVersion: LATEST\n'));
    expect(git('status', '--porcelain')).toContain('specs/shop/base/api.yaml');

    const { code, stdout } = await runCli('diff', specs, '--base', 'main');

    expect(code).toBe(0);
    expect(stdout).toMatch(/^\S+specs against git main \([0-9a-f]{12}\): no changes; 14 resources unchanged\.\n$/);
  });

  it('compares with HEAD when no base is given', async () => {
    const { code, stdout } = await runCli('diff', specs);
    expect(code).toBe(0);
    expect(stdout).toMatch(/against git HEAD \([0-9a-f]{12}\): no changes/);
  });

  it('shows a new resource with what it sets', async () => {
    edit('shop/prod/apex-dns.yaml', (t) => `${t}---\napiVersion: steady.dev/v1alpha1\nkind: AliasRecord\nmetadata: { name: www-dns, environment: shop-prod }\nspec:\n  zone: example.com\n  name: www.example.com\n  target: { loadBalancer: shop-api-alb }\n`);

    const { code, stdout } = await runCli('diff', specs, '--base', 'main');

    expect(code).toBe(2);
    expect(stdout).toContain('+ AliasRecord/www-dns  new  a new DNS record\n    zone: (none) -> example.com\n    name: (none) -> www.example.com\n');
  });

  it('reports a removed resource as no longer managed, in text and JSON (the real binary)', async () => {
    rmSync(path.join(specs, 'shop/prod/apex-dns.yaml'));
    const sentence = 'AliasRecord apex-dns of environment shop-prod is no longer in the specs (main → working tree); it is not reconciled any more; steady deletes nothing';

    const text = await runBinary(['diff', '--base', 'main'], { cwd: repo, env: NO_AWS });
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`- AliasRecord/apex-dns  no longer managed\n    ${sentence}\n`);

    const json = await runBinary(['diff', '--base', 'main', '-o', 'json'], { cwd: repo, env: NO_AWS });
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ formatVersion: 1, command: 'diff', exitCode: 2, changed: true, base: { kind: 'git', revision: 'main' }, counts: { added: 0, changed: 0, removed: 1, unchanged: 13 } });
    expect(doc.environments.find((e: { environment: string }) => e.environment === 'shop-prod').resources).toEqual([
      { resource: 'AliasRecord/apex-dns', kind: 'AliasRecord', name: 'apex-dns', change: 'removed', diff: [], effects: [], message: sentence },
    ]);
  });

  it('refuses an invalid spec with its position and the environment it was rendering, and compares nothing: exit 1', async () => {
    edit('shop/prod/overlay.yaml', (t) => t.replace('  desiredCount: 2\n', '  desiredcount: 2\n'));

    const { code, stdout, stderr } = await runCli('diff', specs, '--base', 'main');

    expect(code).toBe(1);
    expect(stderr).toMatch(/specs\/shop\/prod\/overlay\.yaml:23:11 spec\.desiredcount: unknown field "desiredcount" \(did you mean "desiredCount"\?\) \(rendering shop-prod\)\n/);
    expect(stdout).not.toContain('against');
  });

  it('refuses an invalid spec at the base, naming the revision it is in', async () => {
    edit('shop/prod/overlay.yaml', (t) => t.replace('  desiredCount: 2\n', '  desiredCount: two\n'));
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qam', 'broken');
    git('checkout', '-q', 'HEAD~1', '--', 'specs');

    try {
      const { code, stdout } = await runCli('diff', specs, '--base', 'HEAD', '-o', 'json');
      expect(code).toBe(1);
      const doc = JSON.parse(stdout);
      expect(doc).toMatchObject({ command: 'diff', exitCode: 1, environments: [], error: { kind: 'invalidSpecs', message: 'the specs at HEAD are invalid (1 problem): nothing was compared' } });
      expect(doc.error.problems).toEqual([
        { file: `HEAD:${specs}/shop/prod/overlay.yaml`, line: 23, column: 25, rendering: ['shop-prod'], path: 'spec.desiredCount', message: expect.stringMatching(/number/) },
      ]);
    } finally {
      git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  it('treats a revision before the specs existed as empty: everything is new', async () => {
    const { code, stdout } = await runCli('diff', specs, '--base', 'main~1', '-o', 'json');
    expect(code).toBe(2);
    expect(JSON.parse(stdout).counts).toEqual({ added: 14, changed: 0, removed: 0, unchanged: 0 });
  });

  it('says so when the revision does not exist, or the specs are not in a git work tree', async () => {
    const missing = await runCli('diff', specs, '--base', 'no-such-branch');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: git revision "no-such-branch" not found in /);

    const outside = mkdtempSync(path.join(tmpdir(), 'steady-nogit-'));
    cpSync(SPECS_DIR, outside, { recursive: true });
    try {
      const none = await runCli('diff', outside, '--base', 'main');
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/is not in a git work tree .*; --base needs one\n$/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('writes Markdown for a pull request that a Markdown library renders: a table per resource, the removal open', async () => {
    edit('shop/prod/overlay.yaml', (t) => t.replace('APP_ENV: production', 'APP_ENV: staging'));
    rmSync(path.join(specs, 'shop/prod/apex-dns.yaml'));

    const { code, stdout } = await runCli('diff', specs, '--base', 'main', '-o', 'markdown');

    expect(code).toBe(2);
    expect(stdout.split('\n')[0]).toBe('## steady diff: 3 resources changed, 1 no longer managed');
    const html = new Marked({ gfm: true }).parse(stdout, { async: false });
    expect(html.split('<details').length - 1).toBe(4);
    expect(html).toContain('<details open>\n<summary><code>- AliasRecord/apex-dns</code> no longer managed</summary>');
    expect(html).toContain('<td><code>taskDefinition.containers[app].environment[APP_ENV]</code></td>\n<td><code>production</code></td>\n<td><code>staging</code></td>');
    // The migration's task definition differs, but not what makes it run.
    expect(stdout).toContain('<summary><code>~ Migration/db-migrate</code> changed · no new run: its version (images, container, command) is the same</summary>');
  });

  it('limits both sides to --env, and refuses an environment on neither', async () => {
    edit('shop/prod/overlay.yaml', (t) => t.replace('APP_ENV: production', 'APP_ENV: staging'));
    const messaging = await runCli('diff', specs, '--base', 'main', '--env', 'messaging-prod');
    expect(messaging.code).toBe(0);
    expect(messaging.stdout).toMatch(/no changes; 3 resources unchanged\.\n$/);

    const nope = await runCli('diff', specs, '--base', 'main', '--env', 'nope');
    expect(nope.code).toBe(1);
    expect(nope.stderr).toBe('error: no environment nope on either side (there are: messaging-prod, shop-prod, shop-staging)\n');

    const staging = await runCli('diff', specs, '--base', 'main', '--env', '*-staging', '-o', 'json');
    expect(staging.code).toBe(0);
    expect(JSON.parse(staging.stdout).environments.map((e: { environment: string }) => e.environment)).toEqual(['shop-staging']);
  });

  it('exits 1 on a usage error: 2 means "changes" for diff, as for plan', async () => {
    const both = await runCli('diff', specs, '--base', 'main', '--from', 's3://bucket/p');
    expect(both.code).toBe(1);
    expect(both.stderr.split('\n').slice(0, 2)).toEqual(['error: give --base (a git revision) or --from (a published commit), not both', 'usage: steady diff [options] [paths...]']);
    const unknown = await runCli('diff', '--bogus');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
  });
});

describe('steady diff --from (a published commit; read access to the spec prefix only)', () => {
  it('compares the working tree with HEAD of the prefix, or with an earlier commit', async () => {
    const bucket = await store.bucket();
    expect((await runCli('apply', specs, '--bucket', bucket, '--prefix', 'shop')).code).toBe(0);
    edit('shop/prod/overlay.yaml', (t) => t.replace('desiredCount: 2', 'desiredCount: 3'));
    const first = JSON.parse((await runCli('commits', '--bucket', bucket, '--prefix', 'shop', '-o', 'json')).stdout).commits[0].commit as string;
    expect((await runCli('apply', specs, '--bucket', bucket, '--prefix', 'shop')).code).toBe(0);

    const same = await runCli('diff', specs, '--from', `s3://${bucket}/shop`);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(new RegExp(`against s3://${bucket}/shop/ HEAD \\([0-9a-f]{12}\\): no changes`));

    const earlier = await runCli('diff', specs, '--from', `s3://${bucket}/shop`, '--commit', first.slice(0, 8), '-o', 'json');
    expect(earlier.code).toBe(2);
    const doc = JSON.parse(earlier.stdout);
    expect(doc.base).toEqual({ kind: 's3', url: `s3://${bucket}/shop/`, commit: first });
    expect(doc.environments.find((e: { environment: string }) => e.environment === 'shop-prod').resources).toMatchObject([
      { resource: 'Service/api', change: 'changed', diff: [{ path: 'desiredCount', before: '2', after: '3' }], effects: ['the ECS service is updated (desiredCount)'] },
    ]);
  });

  it('fails with exit 1 when nothing is published there', async () => {
    const bucket = await store.bucket();
    const { code, stderr } = await runCli('diff', specs, '--from', `s3://${bucket}/shop`);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: reading s3:\/\/specs-\d+\/shop\/HEAD: nothing is published under s3:\/\/specs-\d+\/shop\/ \(the prefix is empty\); publish specs with steady apply\n$/);
  });
});
