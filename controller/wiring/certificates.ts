/**
 * Certificate validity for the wiring checks. ELBv2 lists a listener's certificate ARNs but not
 * their expiry; that is ACM's `DescribeCertificate` (`NotAfter`, `Status`, `DomainName`), read by
 * the ACM adapter (`controller/aws/acm.ts`), which the simulated account answers too.
 */

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
