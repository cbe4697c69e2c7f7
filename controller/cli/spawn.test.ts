/**
 * `steady` as a person runs it, in a process of its own, against AWS it cannot read: an endpoint
 * on a closed port, no credentials at all, and an endpoint that answers HTTP 500 with an HTML
 * page. The process's environment is cleared of every AWS setting of the machine running the
 * tests (no profile, no shared files, no instance metadata), so what steady sees is only what the
 * test gives it.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const home = mkdtempSync(path.join(tmpdir(), 'steady-spawn-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs `node bin/steady.js ARGS` in the repository with only `env` (and PATH) for AWS settings. */
function steady(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NO_COLOR: '1',
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/steady.js', ...args], { cwd: ROOT, env: clean, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const CLOSED = { AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' };
const count = (text: string, word: string) => text.split(word).length - 1;

describe('1. AWS that cannot be read is never "no changes"', () => {
  it('plan with the endpoint on a closed port exits 1 and says the cause once, at the top', async () => {
    const { code, stdout } = await steady(['plan', 'specs/'], CLOSED);

    expect(code).toBe(1);
    const lines = stdout.split('\n');
    // One summary line per environment first, naming the kind of cause; the cause itself once, below it.
    expect(lines.slice(0, 4)).toEqual([
      'messaging-prod  unknown  2 not read (AWS unreachable)',
      'shop-prod       unknown  6 not read (AWS unreachable)',
      'shop-staging    unknown  4 not read (AWS unreachable)',
      '',
    ]);
    expect(lines[4]).toBe('AWS could not be read: the endpoint could not be reached (connect ECONNREFUSED 127.0.0.1:1). Nothing was planned.');
    expect(lines[5]).toBe('    Check the network, the region and AWS_ENDPOINT_URL=http://127.0.0.1:1, then run it again.');
    expect(count(stdout, 'ECONNREFUSED')).toBe(1);
    expect(stdout).toContain('shop-prod: AWS could not be read (as above). Nothing was planned.');
    expect(stdout).toMatch(/\n\? Service\/api +not read\n/);
    expect(stdout).not.toMatch(/no changes|check again once AWS answers/i);
  });

  it('plan --output json puts the cause in the JSON, once per environment, and exits 1', async () => {
    const { code, stdout } = await steady(['plan', 'specs/shop', '-o', 'json'], CLOSED);

    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ formatVersion: 1, command: 'plan', exitCode: 1 });
    const env = doc.environments[0];
    expect(env).toMatchObject({ verdict: 'unknown', exitCode: 1, counts: { resources: { unknown: 6 } } });
    expect(env.summary).toBe('AWS could not be read: the endpoint could not be reached (connect ECONNREFUSED 127.0.0.1:1). Nothing was planned.');
    expect(env.causes).toEqual([expect.objectContaining({ kind: 'unreachable', actions: expect.arrayContaining(['ecs:DescribeClusters', 'route53:ListHostedZonesByName']) })]);
    expect(env.resources.find((r: { resource: string }) => r.resource === 'Service/api')).toMatchObject({ outcome: 'unknown', unread: expect.arrayContaining([{ what: 'ECS cluster shop-prod', cause: 'unreachable' }]) });
  });

  it('reconcile without any credentials exits 1, says so with advice that fits, text and JSON', async () => {
    const text = await steady(['reconcile', 'specs/shop', '--env', 'shop-prod', '--no-lease'], {});

    expect(text.code).toBe(1);
    expect(text.stdout.split('\n')[0]).toBe(
      "shop-prod: AWS could not be read: no credentials were found (the SDK's default chain: environment, shared config, SSO, instance role). Nothing was changed.",
    );
    expect(text.stdout.split('\n')[1]).toBe('    Give steady credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or `aws');
    expect(count(text.stdout, 'credentials were found')).toBe(1);
    expect(text.stdout).not.toMatch(/CredentialsProviderError|check again once AWS answers/);

    const json = await steady(['reconcile', 'specs/shop', '--env', 'shop-prod', '--no-lease', '--output', 'json'], {});
    expect(json.code).toBe(1);
    const env = JSON.parse(json.stdout).environments[0];
    expect(env).toMatchObject({ verdict: 'unknown', causes: [{ kind: 'noCredentials' }] });
  });
});

describe('7. an HTTP 500 with an HTML body', () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is reported as AWS answering HTTP 500, not as a SyntaxError, and plan exits 1', async () => {
    const { code, stdout } = await steady(['plan', 'specs/shop', '-o', 'json'], { ...CLOSED, AWS_ENDPOINT_URL: endpoint, AWS_MAX_ATTEMPTS: '1' });

    expect(code).toBe(1);
    expect(stdout).not.toMatch(/SyntaxError|Unexpected token/);
    const env = JSON.parse(stdout).environments[0];
    expect(env.verdict).toBe('unknown');
    expect(env.causes).toEqual([expect.objectContaining({ kind: 'serverError' })]);
    expect(env.summary).toMatch(/^AWS could not be read: AWS answered HTTP 500 \(no AWS error code in the body\), AWS answered HTTP 500 \(not a JSON error body\) to /);
  });
});
