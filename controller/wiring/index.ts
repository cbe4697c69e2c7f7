/**
 * Wiring checks: is the chain from a public name to the running containers connected?
 * See check.ts for what is read and links.ts for how each link is judged.
 */
export { checkWiring, wiringSubjects, DEFAULT_CERTIFICATE_EXPIRY_DAYS, type WiringOptions } from './check.js';
export { type CertificateInfo, type CertificateReader } from './certificates.js';
export { healthCheckAgreement, localUrls, type HealthCheckAgreement, type LocalUrl } from './healthcheck.js';
export { DEFAULT_ROTATION_MINUTES, WiringMemory, wiringMemoryOf } from './memory.js';
export { coldOrder, startEarlyReads, type EarlyReads } from './early.js';
export { runProbe } from './probe.js';
export { wiringContext, wiringResourceStatus, type WiringContext } from './status.js';
export { brokenLinks, chainLabel, renderWiringTree, wiringConditions, wiringReportLines, wiringStatus, type Colors, type Condition } from './report.js';
export {
  LINK_NAMES,
  LINK_TITLES,
  wiringChain,
  type Evidence,
  type LinkName,
  type LinkStatus,
  type ProbeResult,
  type WiringChain,
  type WiringCondition,
  type WiringLink,
  type WiringResult,
} from './types.js';
