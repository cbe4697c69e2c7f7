import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { commitIdOf, sha256, shortCommit } from '../source/commit.js';
import { publishSpecs } from '../source/publish.js';
import { fixture, getText, startSpecStore, TESTDATA } from '../source/testkit.js';
import { runCli } from '../testing/cli.js';

const run = runCli;

let store: Awaited<ReturnType<typeof startSpecStore>>;
beforeAll(async () => {
  store = await startSpecStore();
});
afterAll(() => store.close());

const idOf = (files: ReturnType<typeof fixture>) => commitIdOf(files.map((f) => ({ path: f.path, sha256: sha256(f.content) })));
const V1 = idOf(fixture('v1'));
const V2 = idOf(fixture('v2'));
const GIT = '4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e4f1c2d3e';
const LONG = 'Roll out api 1.1.0 with the new alias record for api.example.com, reviewed by the platform team';

/** v1 then v2 under shop-prod/, each with fixed git metadata; returns the bucket and the creation times. */
async function twoCommits() {
  const bucket = await store.bucket();
  await run('apply', `${TESTDATA}/v1`, '--bucket', bucket, '--prefix', 'shop-prod', '--git-commit', GIT, '--author', 'Jane Doe <jane@example.com>', '--message', 'api 1.0.0\n\nfirst release');
  await new Promise((resolve) => setTimeout(resolve, 5)); // distinct createdAt, to the millisecond
  await run('apply', `${TESTDATA}/v2`, '--bucket', bucket, '--prefix', 'shop-prod', '--git-commit', 'c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe', '--author', 'Release Bot <bot@example.com>', '--message', LONG);
  const created = async (commit: string) => JSON.parse(await getText(store.s3, bucket, `shop-prod/commits/${commit}.json`)).createdAt as string;
  const shown = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
  return { bucket, v1At: await created(V1), v2At: await created(V2), shown };
}

describe('steady commits', () => {
  it('lists the published commits newest first, marking HEAD', async () => {
    const { bucket, v1At, v2At, shown } = await twoCommits();

    const { code, stdout, stderr } = await run('commits', '--bucket', bucket, '--prefix', 'shop-prod');

    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe(
      [
        '  COMMIT        CREATED               FILES  GIT      AUTHOR       MESSAGE',
        `* ${shortCommit(V2)}  ${shown(v2At)}      3  c0ffee1  Release Bot  Roll out api 1.1.0 with the new alias record for api.exampl…`,
        `  ${shortCommit(V1)}  ${shown(v1At)}      2  4f1c2d3  Jane Doe     api 1.0.0`,
        `2 commits in s3://${bucket}/shop-prod/; * marks HEAD`,
        '',
      ].join('\n'),
    );
  });

  it('moves the mark after a rollback', async () => {
    const { bucket } = await twoCommits();
    await run('apply', '--rollback', V1, '--bucket', bucket, '--prefix', 'shop-prod');

    const { stdout } = await run('commits', '--bucket', bucket, '--prefix', 'shop-prod');

    expect(stdout.split('\n').slice(1, 3).map((line) => line.slice(0, 14))).toEqual([`  ${shortCommit(V2)}`, `* ${shortCommit(V1)}`]);
  });

  it('shows at most --limit commits and says how many there are', async () => {
    const { bucket } = await twoCommits();

    const { stdout } = await run('commits', '--bucket', bucket, '--prefix', 'shop-prod', '--limit', '1');

    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1].startsWith(`* ${shortCommit(V2)}`)).toBe(true);
    expect(lines[2]).toBe(`1 of 2 commits in s3://${bucket}/shop-prod/; * marks HEAD`);
  });

  it('prints the history as JSON with --output json', async () => {
    const { bucket, v1At, v2At } = await twoCommits();

    const { code, stdout } = await run('commits', '--bucket', bucket, '--prefix', 'shop-prod', '-o', 'json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      formatVersion: 1,
      command: 'commits',
      exitCode: 0,
      ok: true,
      bucket,
      prefix: 'shop-prod/',
      head: V2,
      total: 2,
      unreadable: [],
      commits: [
        { commit: V2, createdAt: v2At, parent: V1, steadyVersion: packageJson.version, git: { commit: 'c0ffee1c0ffee1c0ffee1c0ffee1c0ffee1c0ffe', author: 'Release Bot <bot@example.com>', message: LONG }, files: 3, bytes: 772, head: true },
        { commit: V1, createdAt: v1At, parent: null, steadyVersion: packageJson.version, git: { commit: GIT, author: 'Jane Doe <jane@example.com>', message: 'api 1.0.0\n\nfirst release' }, files: 2, bytes: 579, head: false },
      ],
    });
  });

  it('marks a commit published from a checkout with uncommitted changes as -dirty', async () => {
    const bucket = await store.bucket();
    await publishSpecs({ bucket, files: fixture('v1'), git: { commit: GIT, author: 'Jane Doe <jane@example.com>', message: 'wip', dirty: true }, s3: store.s3 });

    const { stdout } = await run('commits', '--bucket', bucket);

    expect(stdout.split('\n')[1]).toMatch(/^\* [0-9a-f]{12} {2}\S+ \S+ {6}2 {2}4f1c2d3-dirty {2}Jane Doe {2}wip$/);
  });

  it('says when nothing is published', async () => {
    const bucket = await store.bucket();

    const { code, stdout } = await run('commits', '--bucket', bucket, '--prefix', 'shop-prod');

    expect(code).toBe(0);
    expect(stdout).toBe(`no commits published under s3://${bucket}/shop-prod/\n`);
  });

  it('reports an S3 failure with exit 1', async () => {
    const { code, stderr } = await run('commits', '--bucket', 'no-such-bucket');

    expect(code).toBe(1);
    expect(stderr).toBe('error: reading s3://no-such-bucket/HEAD: NoSuchBucket: The specified bucket does not exist\n');
  });

  it.each([['0'], ['-1'], ['two']])('exits 2 for --limit %s', async (limit) => {
    const { code, stderr } = await run('commits', '--bucket', 'specs', '--limit', limit);

    expect(code).toBe(2);
    expect(stderr).toContain(`error: option '--limit <n>' argument '${limit}' is invalid. expected a positive whole number`);
  });
});
