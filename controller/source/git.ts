/**
 * What a git checkout says about the specs being published: the commit, its author and message,
 * and whether the spec files differ from it. Absent git, or a directory outside any work tree,
 * is not an error: there is simply nothing to record.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import type { GitMetadata } from './commit.js';

/** A git work tree and what its HEAD commit says. */
export interface GitCheckout extends GitMetadata {
  /** The work tree's top-level directory, as a real path. */
  root: string;
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-C', cwd, ...args],
      // GIT_OPTIONAL_LOCKS=0: `git status` must not take the index lock of someone's checkout.
      { timeout: 10_000, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' }, encoding: 'utf8' },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
  });
}

/**
 * Reads the checkout `dir` is in: its root and its HEAD commit's id, author and message.
 * Undefined when `dir` is not in a work tree or git is not installed; without any commit yet,
 * only the root.
 *
 * @example
 * const checkout = await readGitCheckout('specs/');
 * // { root: '/home/me/shop', commit: '4f1c...', author: 'Jane <jane@example.com>', message: 'api 1.4' }
 */
export async function readGitCheckout(dir: string): Promise<GitCheckout | undefined> {
  let root: string;
  try {
    root = await realpath((await git(dir, ['rev-parse', '--show-toplevel'])).trim());
  } catch {
    return undefined;
  }
  try {
    const [commit, author, ...message] = (await git(root, ['log', '-1', '--format=%H%x00%an <%ae>%x00%B'])).split('\0');
    return { root, commit, author, message: message.join('\0').trim() };
  } catch {
    return { root }; // a repository without commits yet
  }
}

/**
 * True when any of `files` (relative to the work tree's `root`) is modified, staged or untracked,
 * so the git commit alone does not reproduce what is being published; undefined when git cannot
 * tell.
 */
export async function isDirty(root: string, files: string[]): Promise<boolean | undefined> {
  if (files.length === 0) return false;
  try {
    return (await git(root, ['status', '--porcelain', '--untracked-files=all', '--', ...files])).trim() !== '';
  } catch {
    return undefined;
  }
}
