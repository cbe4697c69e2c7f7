/**
 * The two JSON documents of a published spec commit, the manifest and the pointer, and the
 * commit id. Pure: no S3 here.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_MAX_FILE_BYTES, formatLimit, MAX_SPEC_FILES, MAX_SPEC_SET_BYTES } from '../spec/limits.js';
import { formatPath } from '../spec/messages.js';

/** The version of the format both documents declare; a reader refuses any other. */
export const COMMIT_FORMAT = 1;

/** One file of a commit: its path in the spec set, and its body's SHA-256 and size. */
export interface ManifestFile {
  path: string;
  /** Lower-case hex; the body is stored at `objects/sha256/<sha256>`. */
  sha256: string;
  bytes: number;
}

/** Where the specs came from, when they came from a git checkout or the flags said so. */
export interface GitMetadata {
  commit?: string;
  /** `Name <email>` */
  author?: string;
  message?: string;
  /** True when the published files differed from the git commit (uncommitted or untracked). */
  dirty?: boolean;
}

/** `commits/<commit>.json`: what one commit holds. Never rewritten once written. */
export interface CommitManifest {
  format: typeof COMMIT_FORMAT;
  /** The spec-set hash: {@link commitIdOf} of `files`. */
  commit: string;
  /** When the commit was first published (ISO 8601). */
  createdAt: string;
  /** The commit HEAD named when this one was published; null for the first. */
  parent: string | null;
  /** The version of steady that published it. */
  steadyVersion: string;
  git?: GitMetadata;
  /** Published with `--allow-empty`: the loader accepts the set empty, or files without documents. */
  allowEmpty?: true;
  /** Sorted by path. */
  files: ManifestFile[];
}

/** Who published a commit and when, as a pass records it (`PassResult.specSource`). */
export function specSourceOf(manifest: CommitManifest): { publishedAt: string; author?: string; gitCommit?: string; message?: string } {
  const git = manifest.git ?? {};
  return {
    publishedAt: manifest.createdAt,
    ...(git.author ? { author: git.author } : {}),
    ...(git.commit ? { gitCommit: git.commit } : {}),
    ...(git.message ? { message: git.message } : {}),
  };
}

/** `HEAD`: the current commit. Written last, after the manifest and every object it names. */
export interface CommitPointer {
  format: typeof COMMIT_FORMAT;
  commit: string;
  /** The manifest's key relative to the prefix: `commits/<commit>.json`. */
  manifestKey: string;
  /** SHA-256 of the manifest's bytes; the reader checks it. */
  manifestSha256: string;
  /** When HEAD was moved to this commit (ISO 8601). */
  updatedAt: string;
  /** The commit HEAD named before; null when there was none. */
  previous: string | null;
  /** `apply` for a publish, `rollback` for `steady apply --rollback`. */
  reason: 'apply' | 'rollback';
}

/** Longest path a manifest may name: far beyond any real spec file's. */
export const MAX_PATH_LENGTH = 512;

/**
 * What is wrong with a path a manifest names, or undefined: it must be relative to the spec root,
 * `/`-separated, without empty, `.` or `..` segments, and printable (no newline, escape or other
 * control character, no bidirectional override), because it is shown in every message about the
 * file. The path itself is never part of the answer.
 */
export function manifestPathProblem(p: string): string | undefined {
  if (p === '') return 'an empty path';
  if (p.length > MAX_PATH_LENGTH) return `longer than ${MAX_PATH_LENGTH} characters`;
  if (UNPRINTABLE.test(p)) return 'a control character (newline, escape, ...) or an invisible formatting character in a path';
  if (p.includes('\\')) return 'a backslash in a path; manifest paths use /';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'an absolute path; manifest paths are relative to the spec root';
  if (p.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) return 'an empty, "." or ".." segment; manifest paths are relative to the spec root and stay inside it';
  return undefined;
}

/** A path as it may be shown: as it is when plain, else quoted with every character {@link manifestPathProblem} refuses escaped. */
export function printablePath(p: string): string {
  if (/^[\w.@+/-]{1,200}$/.test(p)) return p;
  const shown = p.length > 80 ? `${p.slice(0, 77)}...` : p;
  return JSON.stringify(shown).replace(new RegExp(UNPRINTABLE.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** C0 and C1 controls, DEL, zero-width and bidirectional formatting characters, BOM. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');

const manifestSchema = z.object({
  format: z.literal(COMMIT_FORMAT),
  commit: sha256Hex,
  createdAt: isoTime,
  parent: sha256Hex.nullable(),
  steadyVersion: z.string(),
  git: z
    .object({ commit: z.string().optional(), author: z.string().optional(), message: z.string().optional(), dirty: z.boolean().optional() })
    .optional(),
  allowEmpty: z.literal(true).optional(),
  files: z
    .array(
      z.object({
        path: z.string().superRefine((p, ctx) => {
          const problem = manifestPathProblem(p);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
        sha256: sha256Hex,
        bytes: z.number().int().nonnegative().max(DEFAULT_MAX_FILE_BYTES, `more than the ${formatLimit(DEFAULT_MAX_FILE_BYTES)} a spec file may have`),
      }),
    )
    .max(MAX_SPEC_FILES, `more than the ${MAX_SPEC_FILES} files a commit may hold`)
    .superRefine((files, ctx) => {
      const total = files.reduce((n, f) => n + f.bytes, 0);
      if (total > MAX_SPEC_SET_BYTES) ctx.addIssue({ code: 'custom', message: `${total} bytes together, more than the ${formatLimit(MAX_SPEC_SET_BYTES)} a commit may hold` });
      const seen = new Set<string>();
      for (const [i, f] of files.entries()) {
        if (seen.has(f.path)) ctx.addIssue({ code: 'custom', path: [i, 'path'], message: 'the same path twice' });
        seen.add(f.path);
      }
    }),
});

const pointerSchema = z.object({
  format: z.literal(COMMIT_FORMAT),
  commit: sha256Hex,
  manifestKey: z.string(),
  manifestSha256: sha256Hex,
  updatedAt: isoTime,
  previous: sha256Hex.nullable(),
  reason: z.enum(['apply', 'rollback']),
});

/** Lower-case hex SHA-256 of `bytes`. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The commit id: the SHA-256 of the `sha256sum`-style listing of the files sorted by path
 * (`<sha256>  <path>\n` per file), so identical spec sets always get the identical id and
 * `sha256sum` can reproduce it. Nothing else (time, git, steady's version) goes into it.
 *
 * @example
 * commitIdOf([{ path: 'specs/shop/api.yaml', sha256: 'ab12...' }])
 */
export function commitIdOf(files: ReadonlyArray<Pick<ManifestFile, 'path' | 'sha256'>>): string {
  const listing = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join('');
  return sha256(listing);
}

/** The first 12 hex digits, for people; messages that name keys still carry the full id. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 12);
}

/** A document as stored: pretty JSON and a final newline, so it reads well in the S3 console. */
export function encodeDocument(doc: CommitManifest | CommitPointer): Buffer {
  return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`, 'utf8');
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; why: string };

/** Parses a manifest's bytes; `why` says what is wrong with them. */
export function decodeManifest(bytes: Uint8Array): Decoded<CommitManifest> {
  return decode(bytes, manifestSchema, 'steady commit manifest') as Decoded<CommitManifest>;
}

/** Parses a pointer's bytes; `why` says what is wrong with them. */
export function decodePointer(bytes: Uint8Array): Decoded<CommitPointer> {
  return decode(bytes, pointerSchema, 'steady commit pointer') as Decoded<CommitPointer>;
}

function decode(bytes: Uint8Array, schema: z.ZodType, what: string): Decoded<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    // Not the parser's message: its wording changes between Node versions.
    return { ok: false, why: `not a ${what}: not UTF-8 JSON` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const at = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return { ok: false, why: `not a ${what}: ${at}${issue.message}` };
}
