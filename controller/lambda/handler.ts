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
import { createHandler } from './app.js';

export type { EnvironmentSummary, HandlerDependencies, InvocationSummary } from './app.js';
/** Re-exported so the bundled artefact can be built with other dependencies (its tests do). */
export { createHandler };

export const handler = createHandler();
