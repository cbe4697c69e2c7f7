/**
 * The history of published commits, read from the manifests themselves: each commit's manifest
 * stays under its own key for good, so the history needs no S3 object versioning.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { decodeManifest, type CommitManifest, type GitMetadata } from './commit.js';
import { readPointer } from './load.js';
import { keys, normalizePrefix, type SpecLocation } from './location.js';
import { createS3Client, listKeys, readObject } from './s3.js';
import { mapLimit } from '../concurrency.js';

/** One published commit, as its manifest describes it. */
export interface CommitSummary {
  commit: string;
  createdAt: string;
  parent: string | null;
  steadyVersion: string;
  git?: GitMetadata;
  /** How many files, and their total size in bytes. */
  files: number;
  bytes: number;
  /** True for the commit HEAD names. */
  head: boolean;
}

/** The commits under a prefix, newest first. */
export interface CommitHistory {
  location: SpecLocation;
  /** The commit HEAD names; null when there is no (valid) HEAD. */
  head: string | null;
  /** Newest first by `createdAt`, at most `limit` of them. */
  commits: CommitSummary[];
  /** How many commits there are in all. */
  total: number;
  /** Manifests (or HEAD) that could not be read as such, and why. */
  unreadable: { key: string; why: string }[];
}

export interface ListCommitsOptions {
  bucket: string;
  prefix?: string;
  /** Most commits returned; all by default. */
  limit?: number;
  s3?: S3Client;
  concurrency?: number;
}

/**
 * Lists the commits under `s3://bucket/prefix/` from their manifests (ListObjectsV2 over
 * `commits/`, then each manifest), newest first, marking the one HEAD names. Throws AwsCallError
 * when S3 cannot be listed or read.
 *
 * @example
 * const { commits } = await listCommits({ bucket: 'my-specs', prefix: 'shop-prod', limit: 10 });
 */
export async function listCommits(options: ListCommitsOptions): Promise<CommitHistory> {
  const s3 = options.s3 ?? createS3Client();
  const loc: SpecLocation = { bucket: options.bucket, prefix: normalizePrefix(options.prefix ?? '') };
  const unreadable: CommitHistory['unreadable'] = [];

  const head = await readPointer(s3, loc);
  if (head.state === 'invalid') unreadable.push({ key: keys.pointer(loc), why: head.why });
  const headCommit = head.state === 'ok' ? head.pointer.commit : null;

  const folder = keys.commits(loc);
  const listed = (await listKeys(s3, loc.bucket, folder)).filter((o) => /^[0-9a-f]{64}\.json$/.test(o.key.slice(folder.length)));
  const manifests = await mapLimit(listed, options.concurrency ?? 8, async ({ key }): Promise<CommitManifest | undefined> => {
    const read = await readObject(s3, loc.bucket, key);
    if (!read?.bytes) return undefined; // deleted since it was listed
    const decoded = decodeManifest(read.bytes);
    const expected = key.slice(folder.length, -'.json'.length);
    if (!decoded.ok) unreadable.push({ key, why: decoded.why });
    else if (decoded.value.commit !== expected) unreadable.push({ key, why: `it holds commit ${decoded.value.commit}, not ${expected}` });
    else return decoded.value;
    return undefined;
  });

  const commits = manifests
    .filter((m): m is CommitManifest => m !== undefined)
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.commit < b.commit ? -1 : 1))
    .map((m) => ({
      commit: m.commit,
      createdAt: m.createdAt,
      parent: m.parent,
      steadyVersion: m.steadyVersion,
      ...(m.git ? { git: m.git } : {}),
      files: m.files.length,
      bytes: m.files.reduce((n, f) => n + f.bytes, 0),
      head: m.commit === headCommit,
    }));
  unreadable.sort((a, b) => (a.key < b.key ? -1 : 1));
  return { location: loc, head: headCommit, commits: commits.slice(0, options.limit ?? commits.length), total: commits.length, unreadable };
}
