import { Tracer } from '@aws-lambda-powertools/tracer';
import { describe, expect, it } from 'vitest';
import { loadTracer, tracingOn } from './tracing.js';

const LAMBDA = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' };

describe('tracingOn: whether Powertools would trace, decided before its Tracer (and the X-Ray SDK) is loaded', () => {
  it.each([
    ['on Lambda, tracing on (the CDK context tracing: true)', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'true' }, true],
    ['on Lambda, POWERTOOLS_TRACE_ENABLED unset (Powertools traces by default)', LAMBDA, true],
    ['on Lambda, tracing off (the deployed default)', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' }, false],
    ['off, spelt as Powertools accepts it', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: ' FALSE ' }, false],
    ['outside Lambda (tests, the bench, the CLI)', { POWERTOOLS_TRACE_ENABLED: 'true' }, false],
    ['under SAM local', { ...LAMBDA, AWS_SAM_LOCAL: 'true' }, false],
    ["under Amplify's mock", { AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' }, false],
  ])('%s: %s', (_what, env, on) => {
    expect(tracingOn(env)).toBe(on);
  });

  it('agrees with the Tracer itself', () => {
    const saved = { ...process.env };
    try {
      for (const env of [{ ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' }, { ...LAMBDA, AWS_SAM_LOCAL: 'true' }, { POWERTOOLS_TRACE_ENABLED: 'true' }]) {
        for (const k of ['AWS_EXECUTION_ENV', 'POWERTOOLS_TRACE_ENABLED', 'AWS_SAM_LOCAL']) delete process.env[k];
        Object.assign(process.env, env);
        expect(new Tracer({ serviceName: 'steady' }).isTracingEnabled(), JSON.stringify(env)).toBe(tracingOn(process.env));
      }
    } finally {
      process.env = saved;
    }
  });
});

describe('loadTracer', () => {
  it('gives no tracer when tracing is off', async () => {
    expect(await loadTracer({ ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' })).toBeUndefined();
  });

  it("gives Powertools' Tracer for steady when it is on", async () => {
    const tracer = await loadTracer({ ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'true' });
    expect(tracer).toBeInstanceOf(Tracer);
  });
});
