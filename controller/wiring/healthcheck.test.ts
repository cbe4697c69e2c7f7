import { describe, expect, it } from 'vitest';
import { healthCheckAgreement, localUrls, normalisePath } from './healthcheck.js';

describe('localUrls', () => {
  it.each([
    [['CMD-SHELL', 'curl -fsS http://localhost:8000/healthz || exit 1'], [{ text: 'http://localhost:8000/healthz', port: 8000, path: '/healthz' }]],
    [['CMD', '/app/messaging-api', 'healthcheck', '--url', 'http://localhost:8080/health'], [{ text: 'http://localhost:8080/health', port: 8080, path: '/health' }]],
    [['CMD-SHELL', 'wget -qO- 127.0.0.1:3000/status?full=1'], [{ text: '127.0.0.1:3000/status?full=1', port: 3000, path: '/status' }]],
    [['CMD-SHELL', 'curl -f http://0.0.0.0/'], [{ text: 'http://0.0.0.0/', path: '/' }]],
    [['CMD-SHELL', "curl -f 'http://[::1]:8000/ready/'"], [{ text: 'http://[::1]:8000/ready/', port: 8000, path: '/ready' }]],
  ])('finds the local request in %j', (command, expected) => {
    expect(localUrls(command)).toEqual(expected);
  });

  it.each([[['CMD-SHELL', 'agent health']], [['CMD-SHELL', 'pg_isready -h localhost']], [['CMD', '/bin/true']]])('finds no URL in %j', (command) => {
    expect(localUrls(command)).toEqual([]);
  });
});

describe('healthCheckAgreement', () => {
  it('agrees when a local URL of the command has the target group path', () => {
    expect(healthCheckAgreement(['CMD-SHELL', 'curl -fsS http://localhost:8000/healthz || exit 1'], '/healthz')).toEqual({
      kind: 'agrees',
      url: { text: 'http://localhost:8000/healthz', port: 8000, path: '/healthz' },
    });
  });

  it('differs when the command requests other paths only', () => {
    expect(healthCheckAgreement(['CMD-SHELL', 'curl -fsS http://localhost:8000/healthz || exit 1'], '/health')).toEqual({
      kind: 'differs',
      urls: [{ text: 'http://localhost:8000/healthz', port: 8000, path: '/healthz' }],
    });
  });

  it('cannot tell without a URL in the command or without a health check', () => {
    expect(healthCheckAgreement(['CMD-SHELL', 'agent health'], '/')).toEqual({ kind: 'noUrl' });
    expect(healthCheckAgreement(undefined, '/')).toEqual({ kind: 'noHealthCheck' });
  });

  it('compares paths without trailing slash, query or fragment', () => {
    expect(normalisePath('/healthz/?verbose=1#x')).toBe('/healthz');
    expect(normalisePath(undefined)).toBe('/');
    expect(healthCheckAgreement(['CMD-SHELL', 'curl http://localhost/health/'], '/health?x=1').kind).toBe('agrees');
  });
});
