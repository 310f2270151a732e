import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The example fleet repository: three realistic bundles, as a person would keep them in Git. */
export const DEMO_FILES: Record<string, string> = {
  'README.md': '# Demo fleet\n\nEdit a bundle, `git commit -am "…"`, and watch the hub roll it out.\n',
  'apps/web/flotilla.yaml': `# A web application: per-region overlays, one namespace, templated per cluster.
name: web
namespace: web
targets:
  - selector: {matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}
values: {replicas: 2, image: "nginx:1.27", greeting: "hello"}
overlays:
  - selector: {matchLabels: {region: eu}}
    values: {replicas: 3}
  - selector: {matchLabels: {env: staging}}
    values: {replicas: 1}
    patches:
      - target: {kind: Service, name: web}
        merge: {metadata: {annotations: {flotilla.dev/note: "staging only"}}}
apply: {prune: true, drift: correct}
`,
  'apps/web/web.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data:
  GREETING: "{{ values.greeting }} from {{ cluster.name }}"
  REGION: "{{ cluster.labels.region }}"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: "{{ values.replicas }}"
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: "{{ values.image }}"
          ports: [{containerPort: 80}]
          envFrom: [{configMapRef: {name: web-config}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`,
  'infra/monitoring/flotilla.yaml': `# A monitoring stack that brings its own CRD (applied first, and waited for).
# Report-only drift: a change made by hand here is shown by the hub, not reverted.
name: monitoring
namespace: monitoring
targets: [{selector: {}}]
apply: {drift: report}
`,
  'infra/monitoring/crd.yaml': `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: alertrules.monitoring.example.com}
spec:
  group: monitoring.example.com
  scope: Namespaced
  names: {kind: AlertRule, plural: alertrules, singular: alertrule}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                expr: {type: string}
                severity: {type: string}
`,
  'infra/monitoring/stack.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: collector, labels: {app: collector}}
spec:
  replicas: 1
  selector: {matchLabels: {app: collector}}
  template:
    metadata: {labels: {app: collector}}
    spec:
      containers: [{name: collector, image: "otel/opentelemetry-collector:0.110.0"}]
---
apiVersion: monitoring.example.com/v1
kind: AlertRule
metadata: {name: web-down}
spec: {expr: "up{job='web'} == 0", severity: page}
`,
  'apps/api/flotilla.yaml': `# An API rolled out in three waves: a canary, then Europe, then the rest.
name: api
namespace: api
targets: [{selector: {}}]
values: {version: "1.0.0"}
rollout:
  waves:
    - {name: canary, selector: {matchLabels: {canary: "true"}}, maxConcurrent: 1}
    - {name: europe, selector: {matchLabels: {region: eu}}, maxConcurrent: 50%}
    - {name: rest, maxConcurrent: 50%}
  bake: 3s
  progressDeadline: 2m
  maxFailures: 0
  onFailure: rollback
`,
  'apps/api/api.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: api}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {app: api}}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "ghcr.io/example/api:{{ values.version }}"}]
`,
};

/** Creates the repository (once) with the git CLI; returns its directory. */
export async function ensureDemoRepository(dir: string): Promise<string> {
  if (await stat(join(dir, '.git')).then(() => true, () => false)) return dir;
  await mkdir(dir, { recursive: true });
  const git = (...args: string[]) => run('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'Flotilla Demo', GIT_AUTHOR_EMAIL: 'demo@flotilla.invalid', GIT_COMMITTER_NAME: 'Flotilla Demo', GIT_COMMITTER_EMAIL: 'demo@flotilla.invalid' } });
  await git('init', '--quiet', '-b', 'main');
  for (const [path, text] of Object.entries(DEMO_FILES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await git('add', '--all');
  await git('commit', '--quiet', '-m', 'Demo fleet: web, monitoring, api');
  return dir;
}
