/**
 * The README, checked as a newcomer reads it: every `npx steady ...` command it shows names a
 * command and options that exist (each is run with `--help`), the ones that need no AWS are run
 * for real, and what it says of endpoints, the deploy example, installing the CLI and the Node
 * requirement is true of this repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpecPaths } from '../spec/load.js';
import { runBinary, runCli } from '../testing/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  files: string[];
};

/** Every `npx steady ...` the README shows: in code blocks (continuations joined, comments cut) and inline. */
function readmeCommands(): string[] {
  const commands = new Set<string>();
  let inBlock = false;
  let pending = '';
  for (const raw of README.split('\n')) {
    if (raw.startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (!inBlock) continue;
    const line = pending + raw.trim();
    if (line.endsWith('\\')) {
      pending = `${line.slice(0, -1)} `;
      continue;
    }
    pending = '';
    const at = line.indexOf('npx steady');
    // The command itself: not its comment, nor the shell's redirections and `||` after it.
    if (at >= 0) commands.add(line.slice(at).replace(/\s{2,}#.*$/, '').replace(/\s(>>?|\|\|?|&&)\s.*$/, '').trim());
  }
  for (const m of README.matchAll(/`(npx steady [^`]+)`/g)) commands.add(m[1].replace(/\s+/g, ' '));
  return [...commands];
}

/** `publish` for `npx steady publish PATH --bucket B`, or '' for `npx steady --help`. */
const commandOf = (tokens: string[]) => tokens.find((t) => !t.startsWith('-') && !t.startsWith('[')) ?? '';
const tokensOf = (command: string) => command.replace(/^npx steady\s*/, '').replace(/[[\]]/g, ' ').split(/\s+/).filter(Boolean);

describe("the README's commands", () => {
  const commands = readmeCommands();

  it('are many, and cover every command steady has', async () => {
    const { stdout } = await runCli('--help');
    const all = [...stdout.matchAll(/^ {2}([a-z]+)(?:\|[a-z]+)? /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    const shown = new Set(commands.map((c) => commandOf(tokensOf(c))));
    expect(all.filter((c) => !shown.has(c))).toEqual([]);
    expect(commands.length).toBeGreaterThan(30);
  });

  it('name options their command has (each run with --help)', async () => {
    const wrong: string[] = [];
    for (const command of commands) {
      const tokens = tokensOf(command);
      const name = commandOf(tokens);
      const help = await runCli(...(name ? [name, '--help'] : ['--help']));
      if (help.code !== 0) {
        wrong.push(`${command}: steady ${name} --help exited ${help.code}: ${help.stderr.split('\n')[0]}`);
        continue;
      }
      for (const flag of tokens.filter((t) => /^--?[a-zA-Z]/.test(t)).map((t) => t.split('=')[0])) {
        if (!new RegExp(`(^|[ ,])${flag}[ ,<\\n]`, 'm').test(help.stdout)) wrong.push(`${command}: steady ${name} has no ${flag}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('run as shown when they need no AWS (validate, and anything on --sim)', async () => {
    const runnable = commands.filter((c) => {
      const tokens = tokensOf(c);
      const name = commandOf(tokens);
      const paths = tokens.slice(1).filter((t) => !t.startsWith('-') && t.includes('/'));
      const local = name === 'validate' || tokens.includes('--sim');
      // Placeholders (PATH, NAME), the state table (the newcomer test runs that recipe) and the demo (demo.test.ts) aside.
      return local && !tokens.includes('--table') && name !== 'demo' && !tokens.some((t) => /^[A-Z.]{3,}$|^<|\.\.\./.test(t)) && paths.every((p) => existsSync(path.join(ROOT, p)));
    });
    expect(runnable.length).toBeGreaterThanOrEqual(4);
    for (const command of runnable) {
      const tokens = tokensOf(command).map((t) => (t.includes('/') && existsSync(path.join(ROOT, t)) ? path.join(ROOT, t) : t));
      const { code, stderr } = await runCli(...tokens);
      expect({ command, usage: /usage: steady/.test(stderr), error: stderr.split('\n').find((l) => l.startsWith('error:')) }).toEqual({ command, usage: false, error: undefined });
      // plan's 2 is "changes"; verify's 1 is a broken link the example shows on purpose.
      expect([0, 1, 2]).toContain(code);
    }
  });

  it('and the first one a newcomer meets runs through the real binary', async () => {
    const { code, stdout, stderr } = await runBinary(['validate', 'specs/'], { cwd: ROOT });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n').at(-2)).toBe('3 environments, 11 resources valid');
  });
});

describe('what the README says is true', () => {
  it('names the endpoint variable of every AWS client steady has', () => {
    const clients = Object.keys(PACKAGE.dependencies).filter((d) => d.startsWith('@aws-sdk/client-'));
    const variables = clients.map((c) => `AWS_ENDPOINT_URL_${c.slice('@aws-sdk/client-'.length).toUpperCase().replace(/-/g, '_')}`);
    expect(variables.length).toBeGreaterThanOrEqual(13);
    expect(variables.filter((v) => !README.includes(`\`${v}\``))).toEqual([]);
  });

  it('no longer says steady has no ACM client: the wiring checks read certificates through ACM', () => {
    expect(README).not.toMatch(/no ACM client/);
    const clients = readFileSync(path.join(ROOT, 'controller/aws/clients.ts'), 'utf8');
    expect(clients).toMatch(/acm: new ACMClient\(config(\(\))?\)/);
  });

  it('deploys a stack whose scopes cover the specs it then publishes', async () => {
    const deploy = /npm run deploy -- ([\s\S]*?)\n```/.exec(README)![1].replace(/\\\n/g, ' ');
    const context = Object.fromEntries([...deploy.matchAll(/-c (\w+)=(\S+)/g)].map((m) => [m[1], m[2].split(',')]));
    const published = /npx steady publish ((?:\S+ )+?)--bucket <SpecBucketName> --prefix (\S+)`/.exec(README.replace(/\n/g, ' '))!;
    expect(published[2]).toBe(context.specPrefix[0]);

    const loaded = await loadSpecPaths(published[1].trim().split(' ').map((p) => path.join(ROOT, p)));
    if (!loaded.ok) throw new Error('the published specs are invalid');
    for (const env of loaded.specSet.environments) {
      expect(context.clusters).toContain(env.environment.spec.cluster);
      expect(context.regions).toContain(env.environment.spec.region);
      const roles = env.services.flatMap((s) => [s.spec.taskDefinition.executionRoleArn, s.spec.taskDefinition.taskRoleArn]).filter(Boolean);
      expect(roles.filter((r) => !context.passRoleArns.includes(r!))).toEqual([]);
      expect(env.scheduledTasks.map((t) => t.spec.roleArn).filter((r) => !context.schedulerRoleArns.includes(r))).toEqual([]);
    }
  });

  it('installs the CLI from an npm pack tarball holding what it runs, and no tests', () => {
    expect(README).toMatch(/npm pack {3}# writes steady-\d+\.\d+\.\d+\.tgz/);
    expect(README).toMatch(/npm install --save-dev \.\.\/steady\/steady-\d+\.\d+\.\d+\.tgz/);
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as { files: { path: string }[] }[];
    const files = pack.files.map((f) => f.path);
    for (const needed of ['bin/steady.js', 'bin/fast-start.js', 'controller/cli/main.ts', 'controller/cli/commands/index.ts', 'controller/sim/fixtures/examples.yaml', 'docs/output.schema.json', 'README.md', 'package.json']) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => f.endsWith('.test.ts') || f.startsWith('deploy/') || f.startsWith('bench/') || f.startsWith('controller/testing/'))).toEqual([]);
  });

  it('states the Node requirement package.json enforces, the floor of the runtime dependencies', () => {
    const floor = (range: string) => Number(/>=\s*(\d+)/.exec(range)?.[1] ?? 0);
    const ours = floor(PACKAGE.engines.node);
    const theirs = Object.keys(PACKAGE.dependencies).map((d) => {
      const engines = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', d, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines;
      return { d, floor: floor(engines?.node ?? '') };
    });
    expect(theirs.filter((t) => t.floor > ours)).toEqual([]);
    expect(Math.max(...theirs.map((t) => t.floor))).toBe(ours);
    expect(README).toContain(`Node.js ${ours} or newer runs this version of steady`);
    expect(readFileSync(path.join(ROOT, 'bin/steady.js'), 'utf8')).toContain('engines.node');
  });
});
