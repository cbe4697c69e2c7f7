import { describe, expect, it } from 'vitest';
import { COMMIT_FORMAT, commitIdOf, decodeManifest, decodePointer, encodeDocument, manifestPathProblem, MAX_PATH_LENGTH, printablePath, sha256, specSourceOf } from './commit.js';

const H = 'a'.repeat(64);
const manifest = {
  format: COMMIT_FORMAT,
  commit: H,
  createdAt: '2026-11-25T10:00:00.000Z',
  parent: null,
  steadyVersion: '0.1.0',
  files: [{ path: 'specs/a.yaml', sha256: H, bytes: 10 }],
} as const;

describe('commitIdOf', () => {
  it('is the sha256 of the sha256sum listing of the files sorted by path', () => {
    const files = [
      { path: 'specs/b.yaml', sha256: sha256('b') },
      { path: 'specs/a.yaml', sha256: sha256('a') },
    ];

    expect(commitIdOf(files)).toBe(sha256(`${sha256('a')}  specs/a.yaml\n${sha256('b')}  specs/b.yaml\n`));
  });

  it('changes when a path changes, even with the same bytes', () => {
    expect(commitIdOf([{ path: 'a.yaml', sha256: H }])).not.toBe(commitIdOf([{ path: 'b.yaml', sha256: H }]));
  });
});

describe('decoding the documents', () => {
  it('reads back what it encodes', () => {
    expect(decodeManifest(encodeDocument({ ...manifest, files: [...manifest.files] }))).toEqual({ ok: true, value: manifest });
  });

  it.each([
    ['{', 'not a steady commit manifest: not UTF-8 JSON'],
    [JSON.stringify({ ...manifest, format: 2 }), 'not a steady commit manifest: format: Invalid input: expected 1'],
    [JSON.stringify({ ...manifest, files: [{ path: 'a.yaml', sha256: 'XYZ', bytes: 1 }] }), 'not a steady commit manifest: files[0].sha256: expected 64 lower-case hex digits'],
    [JSON.stringify({ ...manifest, createdAt: 'yesterday' }), 'not a steady commit manifest: createdAt: expected an ISO 8601 time'],
  ])('says what is wrong with a manifest: %s', (text, why) => {
    expect(decodeManifest(Buffer.from(text))).toEqual({ ok: false, why });
  });

  it('says what is wrong with a pointer', () => {
    const pointer = { format: 1, commit: H, manifestKey: `commits/${H}.json`, manifestSha256: H, updatedAt: '2026-11-25T10:00:00Z', previous: null, reason: 'push' };

    expect(decodePointer(Buffer.from(JSON.stringify(pointer)))).toEqual({ ok: false, why: 'not a steady commit pointer: reason: Invalid option: expected one of "apply"|"rollback"' });
  });
});

describe('a manifest the loader trusts holds only sound paths and sizes', () => {
  const withFiles = (files: { path: string; sha256?: string; bytes: number }[]) =>
    decodeManifest(Buffer.from(JSON.stringify({ ...manifest, files: files.map((f) => ({ sha256: H, ...f })) })));

  it.each([
    ['', 'an empty path'],
    ['a'.repeat(MAX_PATH_LENGTH + 1), `longer than ${MAX_PATH_LENGTH} characters`],
    ['a\u202eb.yaml', 'a control character (newline, escape, ...) or an invisible formatting character in a path'],
    ['specs\\a.yaml', 'a backslash in a path; manifest paths use /'],
    ['/specs/a.yaml', 'an absolute path; manifest paths are relative to the spec root'],
    ['C:/specs/a.yaml', 'an absolute path; manifest paths are relative to the spec root'],
    ['specs//a.yaml', 'an empty, "." or ".." segment; manifest paths are relative to the spec root and stay inside it'],
    ['./a.yaml', 'an empty, "." or ".." segment; manifest paths are relative to the spec root and stay inside it'],
    ['specs/../a.yaml', 'an empty, "." or ".." segment; manifest paths are relative to the spec root and stay inside it'],
  ])('a path %j is refused: %s', (path, problem) => {
    expect(manifestPathProblem(path)).toBe(problem);
    expect(withFiles([{ path, bytes: 1 }])).toEqual({ ok: false, why: `not a steady commit manifest: files[0].path: ${problem}` });
  });

  it.each(['a'.repeat(MAX_PATH_LENGTH), 'specs/a:b.yaml', 'x/C:/a.yaml', '.hidden/a.yaml', 'a..b.yaml'])('a path %j is sound', (path) => {
    expect(manifestPathProblem(path)).toBeUndefined();
  });

  it('refuses the same path twice, and more bytes together than a commit may hold', () => {
    expect(withFiles([{ path: 'a.yaml', bytes: 1 }, { path: 'a.yaml', bytes: 1 }])).toEqual({ ok: false, why: 'not a steady commit manifest: files[1].path: the same path twice' });
    const full = Array.from({ length: 12 }, (_, i) => ({ path: `f${i}.yaml`, bytes: 1024 * 1024 }));
    expect(withFiles(full).ok).toBe(true);
    expect(withFiles([...full, { path: 'one-more.yaml', bytes: 1 }])).toEqual({
      ok: false,
      why: 'not a steady commit manifest: files: 12582913 bytes together, more than the 12 MiB a commit may hold',
    });
  });

  it('refuses bytes that are not UTF-8, even inside a string, and says so of a document that is not an object', () => {
    const text = Buffer.from(JSON.stringify({ ...manifest, steadyVersion: 'X' }));
    text[text.indexOf('"X"') + 1] = 0xff;

    expect(decodeManifest(text)).toEqual({ ok: false, why: 'not a steady commit manifest: not UTF-8 JSON' });
    expect(decodeManifest(Buffer.from('[]'))).toEqual({ ok: false, why: 'not a steady commit manifest: Invalid input: expected object, received array' });
  });
});

describe('printablePath', () => {
  it('escapes every unprintable character of a path, not only the first, each as four hex digits', () => {
    expect(printablePath('a\u202eb\u202ec\u007f.yaml')).toBe('"a\\u202eb\\u202ec\\u007f.yaml"');
  });

  it('shows a plain path as it is, and any other quoted, with every unprintable character escaped and a long one cut', () => {
    expect(printablePath('specs/shop/api.yaml')).toBe('specs/shop/api.yaml');
    expect(printablePath('my specs/a\u202eb.yaml')).toBe('"my specs/a\\u202eb.yaml"');
    expect(printablePath(`${'x'.repeat(79)} `)).toBe(`"${'x'.repeat(79)} "`);
    expect(printablePath(`${'x'.repeat(80)} `)).toBe(`"${'x'.repeat(77)}..."`);
  });
});

describe('specSourceOf', () => {
  it('says when a commit was published, and by whom and from which git commit when it was recorded', () => {
    expect(specSourceOf({ ...manifest, files: [...manifest.files], git: { author: 'Ann <ann@example.com>', commit: 'abc1234', message: 'bump', dirty: true } })).toEqual({
      publishedAt: '2026-11-25T10:00:00.000Z',
      author: 'Ann <ann@example.com>',
      gitCommit: 'abc1234',
      message: 'bump',
    });
    expect(specSourceOf({ ...manifest, files: [...manifest.files] })).toEqual({ publishedAt: '2026-11-25T10:00:00.000Z' });
  });
});
