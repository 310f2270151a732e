import { PkiError } from './pki.error.js';
import { x509 } from './x509-crypto.js';

const PREFIX = 'spiffe://flotilla/cluster/';
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The URI SAN naming a cluster by its uid (never its name, so a re-created name gets no old certificate). */
export function clusterIdentityUri(clusterUid: string): string {
  if (!UID.test(clusterUid)) throw new PkiError(`"${clusterUid}" is not a cluster uid`);
  return `${PREFIX}${clusterUid}`;
}

/** The cluster uid a certificate names in its URI SAN, or undefined when it names none (or several). */
export function clusterUidOf(certificatePem: string): string | undefined {
  const certificate = new x509.X509Certificate(certificatePem);
  const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = (san?.names.items ?? []).filter((name) => name.type === 'url').map((name) => name.value);
  const clusters = uris.filter((uri) => uri.startsWith(PREFIX)).map((uri) => uri.slice(PREFIX.length));
  return clusters.length === 1 && UID.test(clusters[0]!) ? clusters[0] : undefined;
}
