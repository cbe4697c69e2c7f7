import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSpecPaths } from '../spec/load.js';
import { relativeToCheckout, specFilesToPublish, specRoot } from './files.js';
import { isDirty, readGitCheckout } from './git.js';
import { TESTDATA } from './testkit.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'steady-git-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

/** A repository with the v1 fixture under specs/, committed. */
function repository(): string {
  git('init', '-q');
  git('config', 'user.name', 'Jane Doe');
  git('config', 'user.email', 'jane@example.com');
  mkdirSync(path.join(dir, 'specs'));
  for (const name of ['api.yaml', 'environment.yaml']) copyFileSync(path.join(TESTDATA, 'v1', name), path.join(dir, 'specs', name));
  git('add', '.');
  git('commit', '-q', '-m', 'api 1.0.0\n\nFirst release of the api.');
  return git('rev-parse', 'HEAD');
}

describe('readGitCheckout', () => {
  it('reads the root, commit, author and message of the checkout a directory is in', async () => {
    const commit = repository();

    const checkout = await readGitCheckout(path.join(dir, 'specs'));

    expect(checkout).toEqual({ root: dir, commit, author: 'Jane Doe <jane@example.com>', message: 'api 1.0.0\n\nFirst release of the api.' });
  });

  it('gives only the root of a repository without commits', async () => {
    git('init', '-q');

    expect(await readGitCheckout(dir)).toEqual({ root: dir });
  });

  it('gives nothing outside a work tree', async () => {
    expect(await readGitCheckout(dir)).toBeUndefined();
  });
});

describe('isDirty', () => {
  it('is false when the files are as committed', async () => {
    repository();

    expect(await isDirty(dir, ['specs/api.yaml', 'specs/environment.yaml'])).toBe(false);
  });

  it('is true when a file is modified', async () => {
    repository();
    writeFileSync(path.join(dir, 'specs/api.yaml'), '# changed\n');

    expect(await isDirty(dir, ['specs/api.yaml', 'specs/environment.yaml'])).toBe(true);
  });

  it('is true when a file is not tracked, and ignores files not published', async () => {
    repository();
    writeFileSync(path.join(dir, 'specs/dns.yaml'), '# new\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'unrelated\n');

    expect(await isDirty(dir, ['specs/api.yaml'])).toBe(false);
    expect(await isDirty(dir, ['specs/api.yaml', 'specs/dns.yaml'])).toBe(true);
  });

  it('is false for no files, however dirty the checkout, and unknown where git cannot tell', async () => {
    repository();
    writeFileSync(path.join(dir, 'specs/api.yaml'), '# changed\n');

    expect(await isDirty(dir, [])).toBe(false);
    expect(await isDirty(path.join(dir, 'no-such-dir'), ['specs/api.yaml'])).toBeUndefined();
  });
});

describe('specRoot', () => {
  it('takes a path that does not exist for a file, and its directory as the root', async () => {
    expect(await specRoot([path.join(dir, 'gone', 'api.yaml')])).toBe(path.join(dir, 'gone'));
  });
});

describe('specFilesToPublish', () => {
  it('names files relative to the spec root given, whatever path it was given by', async () => {
    repository();
    const loaded = await loadSpecPaths([path.join(dir, 'specs')]);
    if (!loaded.ok) throw new Error('fixture does not validate');

    const { files, base } = await specFilesToPublish(loaded.specSet, [path.join(dir, 'specs')]);

    expect(base).toBe(path.join(dir, 'specs'));
    expect(files.map((f) => f.path)).toEqual(['api.yaml', 'environment.yaml']);
    expect(files.map((f) => Buffer.from(f.content).toString('utf8'))).toEqual([
      execFileSync('cat', [path.join(dir, 'specs/api.yaml')], { encoding: 'utf8' }),
      execFileSync('cat', [path.join(dir, 'specs/environment.yaml')], { encoding: 'utf8' }),
    ]);
  });

  it('takes a file\'s directory as the root, and the deepest common directory of several paths', async () => {
    repository();
    mkdirSync(path.join(dir, 'more'));
    copyFileSync(path.join(TESTDATA, 'v2', 'dns.yaml'), path.join(dir, 'more', 'dns.yaml'));
    const given = [path.join(dir, 'specs'), path.join(dir, 'more', 'dns.yaml')];
    const loaded = await loadSpecPaths(given);
    if (!loaded.ok) throw new Error('fixture does not validate');

    const one = await specFilesToPublish(loaded.specSet, [path.join(dir, 'more', 'dns.yaml')]);
    const both = await specFilesToPublish(loaded.specSet, given);

    expect(one.base).toBe(path.join(dir, 'more'));
    expect(both.base).toBe(dir);
    expect(both.files.map((f) => f.path).sort()).toEqual(['more/dns.yaml', 'specs/api.yaml', 'specs/environment.yaml']);
  });

  it('names the files relative to the checkout for git, when they are in it', async () => {
    repository();
    const loaded = await loadSpecPaths([path.join(dir, 'specs')]);
    if (!loaded.ok) throw new Error('fixture does not validate');
    const { files, base } = await specFilesToPublish(loaded.specSet, [path.join(dir, 'specs')]);

    expect(await relativeToCheckout(base, files, dir)).toEqual(['specs/api.yaml', 'specs/environment.yaml']);
    expect(await relativeToCheckout(base, files, path.join(dir, 'specs', 'elsewhere'))).toBeUndefined();
  });
});
