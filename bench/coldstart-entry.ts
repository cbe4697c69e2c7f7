/**
 * The cold-start benchmark's stand-in for the Lambda handler, used while
 * `controller/lambda/handler.ts` does not exist: what a handler needs from steady that exists
 * today — the spec loader (S3 specs are validated in memory), the SDK clients, and the pass. The
 * real handler adds middy, Powertools, DynamoDB, S3, SES and Slack, so it will be larger.
 */
export { createAwsClients } from '../controller/aws/clients.js';
export { createAdapters, runPass } from '../controller/pass.js';
export { parseSpecFiles } from '../controller/spec/load.js';
