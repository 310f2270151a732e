import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** What a kubeconfig for one kube-sim instance points at and authenticates with. */
export interface KubeconfigSpec {
  readonly name: string;
  readonly server: string;
  readonly caCert?: string;
  readonly token?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The kubeconfig document (as a plain object) kubectl and client-node load. */
export function kubeconfigDocument(spec: KubeconfigSpec): Record<string, unknown> {
  const user: Record<string, string> = {};
  if (spec.token) user['token'] = spec.token;
  if (spec.clientCert && spec.clientKey) {
    user['client-certificate-data'] = b64(spec.clientCert);
    user['client-key-data'] = b64(spec.clientKey);
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: spec.name,
        cluster: spec.caCert ? { server: spec.server, 'certificate-authority-data': b64(spec.caCert) } : { server: spec.server, 'insecure-skip-tls-verify': true },
      },
    ],
    users: [{ name: `${spec.name}-admin`, user }],
    contexts: [{ name: spec.name, context: { cluster: spec.name, user: `${spec.name}-admin`, namespace: 'default' } }],
    'current-context': spec.name,
    preferences: {},
  };
}

export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<void> {
  await writeFile(path, stringify(kubeconfigDocument(spec)), { mode: 0o600 });
}
