// Render throughput: distinct renders per second of a 10-object bundle (in one thread and through
// the worker pool), and cache hits per second including the cost of computing the cache key.
// Usage: npm run bench:render [-- --clusters N]
import { prepareBundle, RenderPool, renderCacheKey, renderForCluster, type ClusterFacts, type RenderedBundle, type SerializedRender } from '@flotilla/render';

const arg = process.argv.indexOf('--clusters');
const clusters = arg > 0 ? Number(process.argv[arg + 1]) : 20_000;

const spec = `name: shop
namespace: shop
targets: [{selector: {matchLabels: {env: prod}}}]
values: {replicas: 2, image: "shop:1.4.2", domain: example.com}
overlays:
  - selector: {matchLabels: {region: eu-west}}
    values: {replicas: 4}
    patches: [{target: {kind: Deployment, name: api}, merge: {spec: {template: {metadata: {annotations: {tier: gold}}}}}}]
`;

function manifests(readsName: boolean): string {
  const who = readsName ? '{{ cluster.name }}' : '{{ cluster.labels.region }}';
  const docs = [
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api}`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api-config}\ndata: {CLUSTER: "${who}", DOMAIN: "api.{{ values.domain }}", LOG_LEVEL: info}`,
    `apiVersion: v1\nkind: Secret\nmetadata: {name: api-secret}\nstringData: {token: placeholder}`,
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, labels: {app: api}}\nspec:\n  replicas: "{{ values.replicas }}"\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      serviceAccountName: api\n      containers:\n        - name: api\n          image: "{{ values.image }}"\n          ports: [{containerPort: 8080, protocol: TCP}]\n          env: [{name: CLUSTER, value: "${who}"}, {name: REGION, value: "{{ cluster.labels.region }}"}]\n          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}`,
    `apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}, ports: [{port: 80, targetPort: 8080}]}`,
    `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api}\nspec: {rules: [{host: "${who}.{{ values.domain }}", http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]}}]}`,
    `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}, minReplicas: 2, maxReplicas: 10}`,
    `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: api}\nspec: {minAvailable: 1, selector: {matchLabels: {app: api}}}`,
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api}\nspec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}`,
  ];
  return docs.join('\n---\n');
}

const regions = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south'];
const clusterFacts = (i: number): ClusterFacts => ({
  name: `cluster-${i}`,
  labels: { env: 'prod', region: regions[i % regions.length]!, tier: String(i % 4) },
  vars: {},
});

const distinctBundle = await prepareBundle({ dir: 'shop', files: new Map([['flotilla.yaml', spec], ['all.yaml', manifests(true)]]) });
const sharedBundle = await prepareBundle({ dir: 'shop', files: new Map([['flotilla.yaml', spec], ['all.yaml', manifests(false)]]) });
const objects = renderForCluster(distinctBundle, clusterFacts(0)).manifests.length;

// One thread.
renderForCluster(distinctBundle, clusterFacts(1)); // warm the template cache
const hashes = new Set<string>();
let started = performance.now();
for (let i = 0; i < clusters; i += 1) hashes.add(renderForCluster(distinctBundle, clusterFacts(i)).hash);
const inThread = clusters / ((performance.now() - started) / 1000);
console.log(`in-thread: ${clusters} distinct renders, ${inThread.toFixed(0)}/s`);

// The worker pool (one worker per core), as the hub renders.
const pool = new RenderPool();
await Promise.all(Array.from({ length: 8 }, (_, i) => pool.render(distinctBundle, clusterFacts(i))));
const poolHashes = new Set<string>();
started = performance.now();
const inFlight = 256;
for (let offset = 0; offset < clusters; offset += inFlight) {
  const batch: Promise<SerializedRender>[] = [];
  for (let i = offset; i < Math.min(clusters, offset + inFlight); i += 1) batch.push(pool.renderSerialized(distinctBundle, clusterFacts(i)));
  for (const rendered of await Promise.all(batch)) poolHashes.add(rendered.hash);
}
const pooled = clusters / ((performance.now() - started) / 1000);
await pool.close();
console.log(`pool: ${clusters} distinct renders, ${pooled.toFixed(0)}/s`);

// Cache hits: the key is computed for every cluster, the render is looked up.
const cache = new Map<string, RenderedBundle>();
for (let i = 0; i < 100; i += 1) {
  const key = renderCacheKey(sharedBundle, clusterFacts(i));
  if (!cache.has(key)) cache.set(key, renderForCluster(sharedBundle, clusterFacts(i)));
}
const lookups = clusters * 10;
let hits = 0;
started = performance.now();
for (let i = 0; i < lookups; i += 1) if (cache.has(renderCacheKey(sharedBundle, clusterFacts(i)))) hits += 1;
const hitRate = hits / ((performance.now() - started) / 1000);
console.log(`cache: ${cache.size} distinct renders shared by ${lookups} lookups, ${hits} hits`);

console.log(
  [
    `objects=${objects}`,
    `clusters=${clusters}`,
    `distinct_renders_per_s=${inThread.toFixed(0)}`,
    `pool_distinct_renders_per_s=${pooled.toFixed(0)}`,
    `distinct_hashes=${Math.min(hashes.size, poolHashes.size)}`,
    `cache_hits_per_s=${hitRate.toFixed(0)}`,
  ].join(' '),
);
