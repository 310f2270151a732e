import { stringify } from 'yaml';

export interface InstallManifestInput {
  readonly clusterName: string;
  readonly bootstrapToken: string;
  readonly hubCaPem: string;
  readonly hubAddress: string;
  readonly registrationAddress: string;
  readonly image: string;
}

export const AGENT_NAMESPACE = 'flotilla-system';

/**
 * The manifests that install the agent in one cluster (`kubectl apply -f -`): its namespace, a
 * service account with the permissions to apply any bundle, the bootstrap token and hub CA in a
 * Secret, and the Deployment. The agent keeps its key and certificate in a Secret of its namespace
 * (so a pod rescheduled onto another node keeps its identity); the state volume only caches the
 * last desired state, which the hub sends again when it is lost.
 */
export function agentInstallManifest(input: InstallManifestInput): string {
  const labels = { 'app.kubernetes.io/name': 'flotilla-agent', 'app.kubernetes.io/part-of': 'flotilla' };
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AGENT_NAMESPACE, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'flotilla-agent', namespace: AGENT_NAMESPACE, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'flotilla-agent', labels },
      // Bundles may hold any kind, so the agent may manage any kind; it acts only on what the hub sends.
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'flotilla-agent', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'flotilla-agent' },
      subjects: [{ kind: 'ServiceAccount', name: 'flotilla-agent', namespace: AGENT_NAMESPACE }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flotilla-agent-bootstrap', namespace: AGENT_NAMESPACE, labels },
      type: 'Opaque',
      stringData: {
        'bootstrap-token': input.bootstrapToken,
        'hub-ca.pem': input.hubCaPem,
        'hub-address': input.hubAddress,
        'registration-address': input.registrationAddress,
        'cluster-name': input.clusterName,
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'flotilla-agent', namespace: AGENT_NAMESPACE, labels },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'flotilla-agent',
            // The state volume caches the last desired state across container restarts, for
            // autonomy while the hub is unreachable; the identity lives in a Secret.
            volumes: [
              { name: 'bootstrap', secret: { secretName: 'flotilla-agent-bootstrap' } },
              { name: 'state', emptyDir: {} },
            ],
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'agent',
                image: input.image,
                env: [
                  { name: 'FLOTILLA_HUB_ADDRESS', valueFrom: { secretKeyRef: { name: 'flotilla-agent-bootstrap', key: 'hub-address' } } },
                  { name: 'FLOTILLA_REGISTRATION_ADDRESS', valueFrom: { secretKeyRef: { name: 'flotilla-agent-bootstrap', key: 'registration-address' } } },
                  { name: 'FLOTILLA_HUB_CA_FILE', value: '/etc/flotilla/bootstrap/hub-ca.pem' },
                  { name: 'FLOTILLA_BOOTSTRAP_TOKEN_FILE', value: '/etc/flotilla/bootstrap/bootstrap-token' },
                  { name: 'FLOTILLA_AGENT_STATE_DIR', value: '/var/lib/flotilla-agent' },
                  { name: 'FLOTILLA_AGENT_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                ],
                volumeMounts: [
                  { name: 'bootstrap', mountPath: '/etc/flotilla/bootstrap', readOnly: true },
                  { name: 'state', mountPath: '/var/lib/flotilla-agent' },
                ],
                ports: [{ name: 'http', containerPort: 8081 }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
  ];
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}
