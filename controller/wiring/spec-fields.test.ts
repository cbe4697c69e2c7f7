import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseSpecFiles } from '../spec/load.js';

const WEB = readFileSync(fileURLToPath(new URL('./testdata/web/web.yaml', import.meta.url)), 'utf8');

/** The web example with `loadBalancer.listener` replaced and a probe added. */
function web(listener: string, probe = ''): string {
  return WEB.replace('    listener: { port: 443, protocol: HTTPS }\n', `    listener: ${listener}\n${probe}`);
}

function load(content: string) {
  return parseSpecFiles([{ path: 'web.yaml', content }]);
}

describe('the spec fields of the wiring checks', () => {
  it('reads a listener expectation, a probe with its defaults and the certificate limit', () => {
    const text = web('{ loadBalancer: web-alb, port: 443, protocol: HTTPS }', '  probe: { url: "https://www.example.org/health" }\n').replace(
      '  cluster: web-prod\n',
      '  cluster: web-prod\n  wiring: { certificateExpiryDays: 14 }\n',
    );

    const result = load(text);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [env] = result.specSet.environments;
    expect(env.environment.spec.wiring).toEqual({ certificateExpiryDays: 14, rotationMinutes: 10 });
    expect(env.services[0].spec.loadBalancer?.listener).toEqual({ loadBalancer: 'web-alb', port: 443, protocol: 'HTTPS' });
    expect(env.services[0].spec.probe).toEqual({ url: 'https://www.example.org/health', expectStatus: 200, timeoutSeconds: 5 });
  });

  it('refuses a probe that is not an http(s) URL and a listener protocol ELB does not have', () => {
    const result = load(web('{ port: 443, protocol: TLS }', '  probe: { url: "ftp://www.example.org/health", timeoutSeconds: 0 }\n'));

    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'web.yaml:19:38 spec.loadBalancer.listener.protocol: expected one of: HTTP, HTTPS',
      'web.yaml:20:17 spec.probe.url: expected an http:// or https:// URL',
      'web.yaml:20:65 spec.probe.timeoutSeconds: expected a number greater than 0',
    ]);
  });
});
