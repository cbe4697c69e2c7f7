import { describe, expect, it } from 'vitest';
import { COMMIT_FORMAT, commitIdOf, decodeManifest, decodePointer, encodeDocument, sha256 } from './commit.js';

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
