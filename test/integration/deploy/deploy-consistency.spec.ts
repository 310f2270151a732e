import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadAgentConfig } from '../../../apps/agent/src/config/agent-config.js';
import { loadHubConfig } from '../../../apps/hub/src/config/hub-config.js';
import { loadEncryptionKeyring } from '../../../apps/hub/src/encryption/load-encryption-keyring.util.js';
import { AGENT_NAMESPACE, agentInstallManifest } from '../../../apps/hub/src/registration/install-manifest.util.js';
import {
  containerEnvironment,
  dockerfileEnvironment,
  DEPLOY,
  findObject,
  kubectlAvailable,
  kustomize,
  podSpecOf,
  ROOT,
  type Manifest,
} from './deploy-files.support.js';
import { validateManifest } from './openapi-manifest.validator.js';

const describeWithKubectl = kubectlAvailable ? describe : describe.skip;

/**
 * Whether a configuration loader reads `name`: removed, a required variable makes the loader fail
 * naming it; set to a probe value, any other either makes it fail naming it or changes the
 * configuration it returns. A variable no schema knows does none of these (zod objects ignore
 * unknown keys), which is what a misspelt name in a manifest would be.
 */
function reads(load: (env: NodeJS.ProcessEnv) => unknown, base: Record<string, string>, name: string): boolean {
  const without = { ...base };
  delete without[name];
  let reference: string;
  try {
    reference = JSON.stringify(load(without));
  } catch (error) {
    return (error as Error).message.includes(name);
  }
  try {
    return JSON.stringify(load({ ...without, [name]: '@probe value@' })) !== reference;
  } catch (error) {
    return (error as Error).message.includes(name);
  }
}

const hubLoad = (env: NodeJS.ProcessEnv) => loadHubConfig(env, '/app');
const agentLoad = (env: NodeJS.ProcessEnv) => loadAgentConfig(env, '/app');

/** The variable names the config schemas of one app declare, read from their sources (the schemas are not exported). */
function declaredVariables(configDir: string): string[] {
  const files = readdirSync(join(ROOT, configDir)).filter((file) => file.endsWith('-config.ts'));
  const text = files.map((file) => readFileSync(join(ROOT, configDir, file), 'utf8')).join('\n');
  return [...new Set([...text.matchAll(/^\s+(FLOTILLA_[A-Z0-9_]+|DATABASE_URL):/gm)].map((m) => m[1]!))].sort();
}

/** The container named `name` of a Deployment. */
function container(deployment: Manifest, name: string) {
  const found = podSpecOf(deployment).containers.find((c) => c.name === name);
  if (!found) throw new Error(`Deployment ${deployment.metadata.name} has no container ${name}`);
  return found;
}

describe('the configuration probe itself', () => {
  it('tells a variable the hub reads from one it does not', () => {
    expect(reads(hubLoad, {}, 'FLOTILLA_HTTP_PORT')).toBe(true);
    expect(reads(hubLoad, {}, 'FLOTILLA_ENCRYPTION_KEY')).toBe(true);
    expect(reads(hubLoad, {}, 'FLOTILLA_HTTP_PORTS')).toBe(false);
    expect(reads(agentLoad, { FLOTILLA_HUB_ADDRESS: 'h:1', FLOTILLA_REGISTRATION_ADDRESS: 'h:2', FLOTILLA_HUB_CA_FILE: 'ca' }, 'FLOTILLA_AGENT_STATE_KEY')).toBe(true);
    expect(reads(agentLoad, { FLOTILLA_HUB_ADDRESS: 'h:1', FLOTILLA_REGISTRATION_ADDRESS: 'h:2', FLOTILLA_HUB_CA_FILE: 'ca' }, 'FLOTILLA_STATE_KEY')).toBe(false);
  });
});

describeWithKubectl('configuration in deploy/ against the config schemas', () => {
  it('the hub: every variable the manifests set is one the hub reads, and together they load', async () => {
    const objects = await kustomize('hub');
    const env = containerEnvironment(container(findObject(objects, 'Deployment', 'flotilla-hub'), 'hub'), objects);
    expect(Object.keys(env).length).toBeGreaterThan(10);
    expect(Object.keys(env).filter((name) => !reads(hubLoad, env, name))).toEqual([]);
    const config = hubLoad(env);
    expect(config).toMatchObject({ environment: 'production', dataDir: '/var/lib/flotilla', databaseUrl: expect.stringMatching(/^postgres:\/\//) });
  });

  it('the hub: started with the placeholder Secret unedited, it stops at once naming FLOTILLA_ENCRYPTION_KEY', async () => {
    const objects = await kustomize('hub');
    const env = containerEnvironment(container(findObject(objects, 'Deployment', 'flotilla-hub'), 'hub'), objects);
    expect(env['FLOTILLA_ENCRYPTION_KEY']).toBe('REPLACE-ME');
    // The key is read before the database is touched, so nothing is written with a key nobody kept.
    await expect(loadEncryptionKeyring(hubLoad(env), () => undefined)).rejects.toThrow(/FLOTILLA_ENCRYPTION_KEY: .*key id/);
  });

  it('the hub: every variable its configuration declares is set, or named in configmap.yaml as left out on purpose', async () => {
    const declared = declaredVariables('apps/hub/src/config');
    expect(declared.length).toBeGreaterThan(25);
    expect(declared.filter((name) => !reads(hubLoad, {}, name))).toEqual([]);
    const objects = await kustomize('hub');
    const env = containerEnvironment(container(findObject(objects, 'Deployment', 'flotilla-hub'), 'hub'), objects);
    const commented = readFileSync(join(DEPLOY, 'hub', 'configmap.yaml'), 'utf8');
    expect(declared.filter((name) => env[name] === undefined && !new RegExp(`^#.*\\b${name}\\b`, 'm').test(commented))).toEqual([]);
  });

  it('the agent: every variable its configuration declares is set, or named in configmap.yaml as left out on purpose', async () => {
    const declared = declaredVariables('apps/agent/src/config');
    expect(declared.length).toBeGreaterThan(10);
    const required = { FLOTILLA_HUB_ADDRESS: 'h:1', FLOTILLA_REGISTRATION_ADDRESS: 'h:2', FLOTILLA_HUB_CA_FILE: 'ca' };
    expect(declared.filter((name) => !reads(agentLoad, required, name))).toEqual([]);
    const objects = await kustomize('agent');
    const agent = container(findObject(objects, 'Deployment', 'flotilla-agent'), 'agent');
    const set = new Set([...Object.keys(containerEnvironment(agent, objects)), ...(agent.env ?? []).map((v) => v.name)]);
    const commented = readFileSync(join(DEPLOY, 'agent', 'base', 'configmap.yaml'), 'utf8');
    expect(declared.filter((name) => !set.has(name) && !new RegExp(`^#.*\\b${name}\\b`, 'm').test(commented))).toEqual([]);
  });

  it('the hub: its Dockerfile sets only variables the hub reads', () => {
    const env = dockerfileEnvironment('hub/Dockerfile');
    const flotilla = Object.keys(env).filter((name) => name.startsWith('FLOTILLA_') || name === 'DATABASE_URL');
    expect(flotilla).toEqual(['FLOTILLA_DATA_DIR']);
    expect(flotilla.filter((name) => !reads(hubLoad, env, name))).toEqual([]);
  });

  it('the hub: container ports, probes and Services agree with the configured ports', async () => {
    const objects = await kustomize('hub');
    const hub = container(findObject(objects, 'Deployment', 'flotilla-hub'), 'hub');
    const config = hubLoad(containerEnvironment(hub, objects));
    const ports = Object.fromEntries((hub.ports ?? []).map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({ http: config.httpPort, grpc: config.grpcPort, registration: config.agents.registrationPort });
    // What install manifests tell agents to dial is what the agents' Service publishes, under a name the certificate holds.
    const published = findObject(objects, 'Service', 'flotilla-hub-agents')['spec'] as { ports: { name: string; port: number }[] };
    const port = (name: string) => published.ports.find((p) => p.name === name)!.port;
    expect(config.agents.hubAddress).toMatch(new RegExp(`:${port('grpc')}$`));
    expect(config.agents.registrationAddress).toMatch(new RegExp(`:${port('registration')}$`));
    expect(config.agents.tlsNames).toContain(config.agents.hubAddress.replace(/:\d+$/, ''));
    expect(config.agents.tlsNames).toContain(config.agents.registrationAddress.replace(/:\d+$/, ''));
  });

  it('the agent: every variable the manifests set is one the agent reads, and together they load', async () => {
    for (const target of ['agent', 'agent/least-privilege']) {
      const objects = await kustomize(target);
      const agent = container(findObject(objects, 'Deployment', 'flotilla-agent'), 'agent');
      const env = containerEnvironment(agent, objects);
      expect(Object.keys(env).filter((name) => !reads(agentLoad, env, name))).toEqual([]);
      // Names that come from an optional source the kustomization does not hold (the state key) are checked by name.
      const optional = (agent.env ?? []).filter((v) => v.valueFrom?.secretKeyRef?.optional).map((v) => v.name);
      expect(optional).toEqual(['FLOTILLA_AGENT_STATE_KEY']);
      expect(optional.filter((name) => !reads(agentLoad, env, name))).toEqual([]);
      const config = agentLoad(env);
      expect(config).toMatchObject({ httpPort: agent.ports!.find((p) => p.name === 'http')!.containerPort, stateDir: '/var/lib/flotilla-agent', hubCaFile: '/etc/flotilla/bootstrap/hub-ca.pem' });
      expect(dockerfileEnvironment('agent/Dockerfile')['FLOTILLA_AGENT_STATE_DIR']).toBe(config.stateDir);
    }
  });
});

describeWithKubectl('deploy/agent against the install manifest registerCluster generates', () => {
  const generated = parseAllDocuments(
    agentInstallManifest({
      clusterName: 'edge-1',
      bootstrapToken: 'token',
      hubCaPem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
      hubAddress: 'flotilla-agents.example.com:8443',
      registrationAddress: 'flotilla-agents.example.com:8444',
      image: 'flotilla/agent:0.1.0',
    }),
  ).map((doc) => doc.toJS() as Manifest);

  it('the generated manifest passes the same schema validation', () => {
    expect(generated.flatMap((o) => validateManifest(o).map((p) => `${o.kind}/${o.metadata.name} ${p.path}: ${p.message}`))).toEqual([]);
  });

  it('same namespace, service account, Secret keys, and a Deployment of the same shape', async () => {
    const ours = await kustomize('agent');
    const pick = (objects: Manifest[], kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    expect(pick(ours, 'Namespace')).toEqual([AGENT_NAMESPACE]);
    for (const kind of ['Namespace', 'ServiceAccount', 'Secret', 'Deployment', 'ClusterRoleBinding']) expect(pick(ours, kind)).toEqual(expect.arrayContaining(pick(generated, kind)));
    const keys = (objects: Manifest[]) => Object.keys(findObject(objects, 'Secret', 'flotilla-agent-bootstrap')['stringData'] as object).sort();
    expect(keys(ours)).toEqual(keys(generated));

    const [mine, theirs] = [ours, generated].map((objects) => findObject(objects, 'Deployment', 'flotilla-agent'));
    const [podMine, podTheirs] = [mine!, theirs!].map(podSpecOf);
    expect(podMine!.serviceAccountName).toBe(podTheirs!.serviceAccountName);
    expect(podMine!.volumes).toEqual(podTheirs!.volumes);
    expect(podMine!.securityContext).toMatchObject(podTheirs!.securityContext!);
    expect((mine!['spec'] as { strategy: unknown }).strategy).toEqual((theirs!['spec'] as { strategy: unknown }).strategy);
    const [a, b] = [podMine!.containers[0]!, podTheirs!.containers[0]!];
    expect(a.volumeMounts).toEqual(b.volumeMounts);
    expect(a.resources).toEqual(b.resources);
    expect(a.securityContext).toEqual(b.securityContext);
    expect(a.ports?.map((p) => [p.name, p.containerPort])).toEqual(b.ports?.map((p) => [p.name, p.containerPort]));
    expect([a.readinessProbe?.httpGet, a.livenessProbe?.httpGet]).toEqual([b.readinessProbe?.httpGet, b.livenessProbe?.httpGet]);
    // Every variable the generated Deployment sets, ours sets the same way; ours adds only the optional state key.
    for (const variable of b.env ?? []) expect(a.env).toContainEqual(variable);
    expect((a.env ?? []).map((v) => v.name).filter((name) => !(b.env ?? []).some((v) => v.name === name))).toEqual(['FLOTILLA_AGENT_STATE_KEY']);
  });
});
