import { describe, expect, it } from 'vitest';
import { benchLayout, benchSpecFiles } from '../testing/fleet.js';
import { MAX_SPEC_SET_BYTES, setSizeProblems } from './limits.js';

const bytesOf = (files: { content: Uint8Array | string }[]) => files.map((f) => ({ bytes: Buffer.byteLength(f.content as string) }));

describe('the size a spec set may have', () => {
  it('takes a 5,000-service environment, with a third to spare', () => {
    // The benchmark's 5,000 services in block-style YAML, as people write it: a task definition of
    // two containers each (environment, a secret, a health check, logging), an alias, a target group.
    const files = bytesOf(benchSpecFiles(benchLayout(5000)));
    const total = files.reduce((n, f) => n + f.bytes, 0);

    expect(total).toBeGreaterThan(9e6);
    expect(setSizeProblems(files, 'specs/')).toEqual([]);
    expect(MAX_SPEC_SET_BYTES).toBeGreaterThan(1.35 * total);
  });

  it('refuses a set over 12 MiB, before it is read', () => {
    const files = Array.from({ length: 12 }, () => ({ bytes: 1024 * 1024 }));

    expect(setSizeProblems(files, 'specs/')).toEqual([]);
    expect(setSizeProblems([...files, { bytes: 1 }], 'specs/')).toEqual([
      { file: 'specs/', line: 0, column: 0, path: '', message: 'the spec files are 12582913 bytes together, more than the 12 MiB a spec set may have' },
    ]);
  });
});
