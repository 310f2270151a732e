import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEPLOY = join(ROOT, 'deploy');

/** A Kubernetes object as read from YAML; only the fields these tests look at are typed. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

/** One parsed document and the file it came from (relative to the repository). */
export interface ManifestDocument {
  readonly file: string;
  readonly object: Manifest;
}

export const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** Every file under deploy/, relative to it, sorted. */
export function deployFiles(dir = DEPLOY): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...deployFiles(path));
    else out.push(relative(DEPLOY, path));
  }
  return out.sort();
}

/** Directories holding a kustomization.yaml, relative to deploy/. */
export function kustomizationDirs(): string[] {
  return deployFiles()
    .filter((file) => file.endsWith('kustomization.yaml'))
    .map((file) => dirname(file));
}

/** The Kubernetes manifests: every YAML file but kustomizations and Prometheus rule files. */
export function manifestFiles(): string[] {
  return deployFiles().filter((file) => /\.ya?ml$/.test(file) && !file.endsWith('kustomization.yaml') && !file.endsWith('.rules.yaml'));
}

export function readYamlDocuments(file: string): ManifestDocument[] {
  const text = readFileSync(join(DEPLOY, file), 'utf8');
  return parseAllDocuments(text).map((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`deploy/${file}, document ${index + 1}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { file: `deploy/${file}`, object: doc.toJS() as Manifest };
  });
}

export function readYaml<T>(file: string): T {
  return parse(readFileSync(join(DEPLOY, file), 'utf8')) as T;
}

/** Files a kustomization pulls in directly (resources that are files, generator sources, patches by path). */
export function kustomizationInputs(dir: string): string[] {
  const k = readYaml<{
    resources?: string[];
    configMapGenerator?: { files?: string[] }[];
    secretGenerator?: { files?: string[] }[];
    patches?: { path?: string }[];
  }>(join(dir, 'kustomization.yaml'));
  const generated = [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])].flatMap((g) => g.files ?? []).map((f) => f.split('=').pop()!);
  const patches = (k.patches ?? []).flatMap((p) => (p.path ? [p.path] : []));
  return [...(k.resources ?? []), ...generated, ...patches].map((f) => join(dir, f));
}

/** `kubectl kustomize deploy/<dir>` (Kustomize v5.5.0 built into kubectl 1.32), parsed. */
export function kustomize(dir: string): Promise<Manifest[]> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['kustomize', join(DEPLOY, dir)], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`kubectl kustomize deploy/${dir} failed: ${stderr || error.message}`));
      resolve(parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest));
    });
  });
}

export function findObject(objects: readonly Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** The parts of a container spec these tests compare. */
export interface ContainerSpec {
  name: string;
  image: string;
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
  }[];
  envFrom?: { configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}

/** The pod spec of a Deployment, typed as far as the tests read it. */
export interface PodSpec {
  serviceAccountName?: string;
  containers: ContainerSpec[];
  volumes?: { name: string; secret?: { secretName: string }; emptyDir?: unknown }[];
  securityContext?: Record<string, unknown>;
}

export function podSpecOf(deployment: Manifest): PodSpec {
  return (deployment['spec'] as { template: { spec: PodSpec } }).template.spec;
}

/**
 * The environment a container starts with, resolved from the objects of the same kustomization:
 * `env` values, `secretKeyRef`/`configMapKeyRef` values, the pod namespace (downward API), and every key of `envFrom` sources. A
 * reference to an object or key that is not there fails, unless the reference is optional.
 */
export function containerEnvironment(container: ContainerSpec, objects: readonly Manifest[], podNamespace = 'flotilla-system'): Record<string, string> {
  const dataOf = (kind: 'ConfigMap' | 'Secret', name: string, optional: boolean): Record<string, string> | undefined => {
    const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!object) {
      if (optional) return undefined;
      throw new Error(`container ${container.name} refers to ${kind} ${name}, which the kustomization does not hold`);
    }
    const data = (object['data'] ?? {}) as Record<string, string>;
    const stringData = (object['stringData'] ?? {}) as Record<string, string>;
    const decoded = kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : data;
    return { ...decoded, ...stringData };
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const data = source.configMapRef
      ? dataOf('ConfigMap', source.configMapRef.name, source.configMapRef.optional ?? false)
      : dataOf('Secret', source.secretRef!.name, source.secretRef!.optional ?? false);
    Object.assign(env, data ?? {});
  }
  for (const variable of container.env ?? []) {
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    if (field !== undefined) {
      // The downward API: the kubelet fills these in from the pod.
      if (field !== 'metadata.namespace') throw new Error(`container ${container.name}: ${variable.name} refers to the field ${field}, which these tests do not know`);
      env[variable.name] = podNamespace;
      continue;
    }
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    if (!ref) {
      env[variable.name] = variable.value ?? '';
      continue;
    }
    const optional = (variable.valueFrom?.secretKeyRef?.optional ?? false) === true;
    const data = dataOf(variable.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name, optional);
    if (data === undefined) continue;
    if (data[ref.key] === undefined) throw new Error(`container ${container.name}: ${variable.name} refers to the missing key ${ref.key} of ${ref.name}`);
    env[variable.name] = data[ref.key]!;
  }
  return env;
}

/** `ENV NAME=value …` settings of a Dockerfile's last stage (the image that runs). */
export function dockerfileEnvironment(file: string): Record<string, string> {
  const text = readFileSync(join(DEPLOY, file), 'utf8').replace(/\\\n/g, ' ');
  const stages = text.split(/^FROM\s/m);
  const last = stages[stages.length - 1]!;
  const env: Record<string, string> = {};
  for (const line of last.split('\n')) {
    const match = /^ENV\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    for (const pair of match[1]!.trim().split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      env[name!] = value.join('=');
    }
  }
  return env;
}
