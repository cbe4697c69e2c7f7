/**
 * The Lambda entry point (`handler`), bundled by esbuild into the function's artefact. Creating
 * the handler reads and checks the configuration at cold start, so a misconfigured function
 * fails its first invocation with a message that names every problem.
 *
 * Events (see `events.ts`): an EventBridge Scheduler or rule event (every environment of the
 * published commit, or `detail.environment(s)`), an S3 notification for a new `HEAD` of the spec
 * prefix, or a manual `{ "environment": "shop-prod", "dryRun": true }`. The answer is an
 * {@link InvocationSummary}.
 *
 * @example
 * // aws lambda invoke --function-name steady --payload '{"environment":"shop-prod","dryRun":true}' \
 * //   --cli-binary-format raw-in-base64-out out.json
 * import { handler } from './handler.js';
 * const summary = await handler({ environment: 'shop-prod', dryRun: true }, context);
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { createHandler } from './app.js';
import { createDispatcher } from './dispatch.js';
import { loadTracer } from './tracing.js';
import { createWorker } from './worker.js';

export type { EnvironmentSummary, HandlerDependencies, InvocationSummary } from './app.js';
/** Re-exported so the bundled artefact can be built with other dependencies (its tests do). */
export { createHandler };

// X-Ray's Tracer only when tracing is on: otherwise its SDK is not even loaded (tracing.ts).
const tracer = await loadTracer(process.env);

/**
 * With a work queue (`STEADY_QUEUE_URL`, set by the CDK app when it fans out) the dispatcher, which
 * reconciles in this invocation while there are at most `STEADY_FAN_OUT_ABOVE` environments;
 * otherwise the single-function handler.
 */
export const handler = process.env.STEADY_QUEUE_URL ? createDispatcher({ tracer }) : createHandler({ tracer });

let workerInstance: ReturnType<typeof createWorker> | undefined;
/** The worker function's entry point (`index.worker` in the same artefact): one environment per SQS message. */
export const worker = (event: SQSEvent, context: Context) => (workerInstance ??= createWorker({ tracer }))(event, context);
