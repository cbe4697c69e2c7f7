/**
 * X-Ray tracing of the handler and its AWS calls (Powertools' Tracer), loaded only when it would
 * trace. The Tracer brings the X-Ray SDK (~100 KB with cls-hooked), and importing that SDK turns on
 * an async hook for the whole process (every promise of a pass pays for it) even when tracing is
 * off, which it is by default (the CDK context `tracing`, POWERTOOLS_TRACE_ENABLED=false). So the
 * handler's module (`handler.ts`) asks `loadTracer` at cold start, which imports the Tracer only
 * when Powertools would turn tracing on; otherwise there is no tracer and nothing is traced, as
 * before.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './telemetry.js';

/**
 * Whether Powertools' Tracer would trace in this environment: in a Lambda execution environment
 * (`AWS_EXECUTION_ENV`), not under SAM local or Amplify's mock, and POWERTOOLS_TRACE_ENABLED not
 * `false` (the Tracer's own rule, `Tracer.setTracingEnabled`).
 *
 * @example
 * tracingOn({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x', POWERTOOLS_TRACE_ENABLED: 'true' }); // true
 */
export function tracingOn(env: Record<string, string | undefined>): boolean {
  const executionEnv = env.AWS_EXECUTION_ENV?.trim() ?? '';
  if ((env.POWERTOOLS_TRACE_ENABLED?.trim() ?? '').toLowerCase() === 'false') return false;
  if (executionEnv === '' || executionEnv === 'AWS_Lambda_amplify-mock') return false;
  return (env.AWS_SAM_LOCAL?.trim() ?? '') === '';
}

/**
 * The Tracer when tracing is on; undefined (and the X-Ray SDK not loaded) when it is off.
 *
 * @example
 * // controller/lambda/handler.ts
 * const tracer = await loadTracer(process.env);
 * export const handler = createHandler({ tracer });
 */
export async function loadTracer(env: Record<string, string | undefined>): Promise<Tracer | undefined> {
  if (!tracingOn(env)) return undefined;
  const { Tracer } = await import('@aws-lambda-powertools/tracer');
  return new Tracer({ serviceName: SERVICE_NAME });
}
