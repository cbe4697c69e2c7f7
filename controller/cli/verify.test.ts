import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../testing/cli.js';

const TESTDATA = path.relative(process.cwd(), fileURLToPath(new URL('../wiring/testdata/', import.meta.url)));
const SPECS = path.join(TESTDATA, 'web');
const WIRED = path.join(TESTDATA, 'wired.yaml');

/** Output with the simulated account's generated ids (DNS digits, deployment ids, task IPs) masked. */
const masked = (text: string) =>
  text
    .replace(/web-alb-\d+\./g, 'web-alb-<n>.')
    .replace(/ecs-svc\/\d+/g, 'ecs-svc/<id>')
    .replace(/10\.0\.\d+\.\d+/g, '<ip>');

const tmp = mkdtempSync(path.join(tmpdir(), 'steady-verify-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The wired fixture with one change, written to a temporary file. */
function fixtureWith(change: (yaml: string) => string): string {
  const file = path.join(tmp, `fixture-${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(file, change(readFileSync(WIRED, 'utf8')));
  return file;
}

describe('steady verify --sim', () => {
  it('prints the chain of a fully wired environment as a tree and exits 0', async () => {
    const { code, stdout, stderr } = await run('verify', SPECS, '--sim', WIRED);

    expect(code).toBe(0);
    expect(masked(stdout)).toBe(
      [
        'web-prod  cluster web-prod, ap-northeast-1',
        '✓ web  Ready  www.example.org -> web-alb -> web-tg -> web',
        '├─ ✓ alias            www.example.org A -> web-alb-<n>.ap-northeast-1.elb.amazonaws.com',
        '├─ ✓ load balancer    web-alb active (application, internet-facing)',
        '├─ ✓ listener         HTTPS:443',
        '├─ ✓ certificate      www.example.org, expires 2026-12-01 (in 334 days)',
        '├─ ✓ forward          HTTPS:443 default action -> web-tg',
        '├─ ✓ target group     web-tg HTTP:8080, ip targets',
        "├─ ✓ health check     /health, as container web's health check (http://localhost:8080/health)",
        '├─ ✓ service binding  web -> web-tg, container web:8080',
        '├─ ✓ deployment       ecs-svc/<id> runs web:1 (as the spec says), 2/2 tasks running',
        '├─ ✓ targets          2/2 healthy (<ip>:8080, <ip>:8080)',
        '└─ ✓ tasks            2 running tasks on the expected images (web sha256:111111111111)',
        '',
        '1 service: 1 Ready, 0 Degraded',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe(`verifying web-prod in the simulated account 123456789012 (${WIRED})…\n`);
  });

  it('marks the broken link, says what to fix and exits 1', async () => {
    const fixture = fixtureWith((y) => y.replace('{ name: web-tg, port: 8080, healthCheckPath: /health }', '{ name: web-tg, port: 80, healthCheckPath: /health }'));

    const { code, stdout } = await run('verify', SPECS, '--sim', fixture);

    expect(code).toBe(1);
    const lines = masked(stdout).split('\n');
    expect(lines[1]).toBe('✗ web  Degraded at target group (TargetGroupPortMismatch)  www.example.org -> web-alb -> web-tg -> web');
    expect(lines.slice(7, 9)).toEqual([
      '├─ ✗ target group     web-tg HTTP:80, ip targets',
      "│                     target group web-tg is for port 80, but container web listens on 8080 (spec.loadBalancer.containerPort): a target group's port cannot be changed, so create one for port 8080 and move the listener and service web to it, or fix the spec",
    ]);
    expect(lines.at(-2)).toBe('1 service: 0 Ready, 1 Degraded');
  });

  it('prints the results as JSON with --output json', async () => {
    const fixture = fixtureWith((y) => y.replace('notAfter: "2026-12-01T00:00:00Z"', 'notAfter: "2026-01-15T00:00:00Z"'));

    const { code, stdout, stderr } = await run('verify', SPECS, '--sim', fixture, '--output', 'json');

    expect(code).toBe(1);
    expect(stderr).toBe('');
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ formatVersion: 1, command: 'verify', exitCode: 1, ok: false, causes: [], environments: [{ name: 'web-prod', region: 'ap-northeast-1', cluster: 'web-prod' }] });
    const [result] = json.environments[0].services;
    expect(result.checkedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(result).toMatchObject({
      service: 'web',
      firstBroken: 'certificate',
      condition: { type: 'Degraded', reason: 'CertificateExpiring' },
    });
    expect(result.links.find((l: { name: string }) => l.name === 'certificate').evidence).toMatchObject({ daysLeft: 14, limitDays: 30, domainName: 'www.example.org' });
  });

  it('checks only the environments named with --env', async () => {
    const { code, stdout, stderr } = await run('verify', SPECS, '--sim', WIRED, '--env', 'web-prd');

    expect(code).toBe(1);
    expect({ stdout, stderr }).toEqual({ stdout: '', stderr: 'error: no environment web-prd in the specs (there are: web-prod)\n' });
  });

  it('across several environments prints one line per environment first, with the first broken link of each service that is not Ready', async () => {
    const specs = fileURLToPath(new URL('../../specs/', import.meta.url));
    const fixture = fileURLToPath(new URL('../sim/fixtures/examples.yaml', import.meta.url));

    const { code, stdout } = await run('verify', specs, '--sim', fixture, '--no-probes');

    expect(code).toBe(1);
    expect(stdout.split('\n').slice(0, 5)).toEqual([
      'messaging-prod  degraded  0 Ready, 1 Degraded (messaging-api at alias)',
      'shop-prod       degraded  0 Ready, 1 Degraded (api at alias)',
      'shop-staging    degraded  0 Ready, 1 Degraded (api at alias)',
      '',
      'messaging-prod  cluster messaging-prod, ap-northeast-1',
    ]);
    expect(stdout.split('\n').at(-2)).toBe('3 services: 0 Ready, 3 Degraded');
  });

  it('exits 2 on an unknown option', async () => {
    const { code, stderr } = await run('verify', SPECS, '--simulated', WIRED);

    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: unknown option '--simulated'/);
  });
});
