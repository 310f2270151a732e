export { CertificateAuthority, type CertificateUsage, type IssuedCertificate, type IssueOptions } from './certificate-authority.js';
export { createCsrForKey, createKeyAndCsr, csrPublicKeySha256, describeCertificate } from './certificate-request.js';
export { clusterIdentityUri, clusterUidOf } from './cluster-identity.js';
export { PkiError } from './pki.error.js';
