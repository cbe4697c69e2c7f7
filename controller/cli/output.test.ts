import { describe, expect, it } from 'vitest';
import { createOutput, type CliIo } from './output.js';

function io(isTTY: boolean, env: Record<string, string | undefined>): CliIo & { written: () => string } {
  let out = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY },
    stderr: { write: () => true },
    env,
    written: () => out,
  };
}

describe('createOutput', () => {
  it('colours text on a terminal', () => {
    const target = io(true, {});

    createOutput(target, 'text').line(createOutput(target, 'text').color.red('bad'));

    expect(target.written()).toBe('\x1b[31mbad\x1b[39m\n');
  });

  it('does not colour when NO_COLOR is set', () => {
    const target = io(true, { NO_COLOR: '1' });
    const out = createOutput(target, 'text');

    out.line(out.color.red('bad'));

    expect(target.written()).toBe('bad\n');
  });

  it('does not colour when stdout is not a terminal', () => {
    const target = io(false, {});
    const out = createOutput(target, 'text');

    out.line(out.color.red('bad'));

    expect(target.written()).toBe('bad\n');
  });

  it('never colours JSON', () => {
    const target = io(true, {});
    const out = createOutput(target, 'json');

    out.json({ message: out.color.red('bad') });

    expect(target.written()).toBe('{\n  "message": "bad"\n}\n');
  });
});
