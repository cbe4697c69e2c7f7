/**
 * Certificate validity for the wiring checks. ELBv2 lists a listener's certificate ARNs but not
 * their expiry; that is ACM's `DescribeCertificate` (`NotAfter`, `Status`, `DomainName`), and steady
 * has no ACM client yet (`@aws-sdk/client-acm` is not a dependency). So the checks read
 * certificates through this small port: the simulated account implements it today; an ACM adapter
 * (one DescribeCertificate per ARN — ACM has no batch read) is the second implementation once the
 * dependency is added. Without a reader the certificate link is reported as not checked.
 */
import type { SimAccount } from '../sim/account.js';

/** What is known of one certificate. */
export interface CertificateInfo {
  arn: string;
  domainName?: string;
  /** End of validity, epoch ms. */
  notAfter: number;
  /** ACM's status: ISSUED, EXPIRED, REVOKED, PENDING_VALIDATION, ... */
  status: string;
}

/** Reads certificates by ARN; `null` for an ARN the certificate store does not know. */
export interface CertificateReader {
  /** Where the facts come from, for evidence (`ACM`, `simulated account`). */
  readonly source: string;
  describeCertificates(arns: readonly string[]): Promise<Map<string, CertificateInfo | null>>;
}

/**
 * The simulated account's listener certificates (see `Elbv2Sim.certificate`).
 *
 * @example
 * const results = await checkWiring(desired, createAdapters(account.clients()), { certificates: simCertificates(account) });
 */
export function simCertificates(account: SimAccount): CertificateReader {
  return {
    source: 'simulated account',
    describeCertificates: async (arns) => new Map(arns.map((arn) => [arn, account.elbv2.certificate(arn) ?? null])),
  };
}
