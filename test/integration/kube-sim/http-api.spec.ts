import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeSimServer } from '@flotilla/kube-sim';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: Record<string, unknown>;
}

interface Call {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly auth?: 'token' | 'none' | 'cert';
}

function call(server: KubeSimServer, path: string, options: Call = {}): Promise<Reply> {
  const url = new URL(path, server.url);
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if ((options.auth ?? 'token') === 'token') headers['Authorization'] = `Bearer ${server.token}`;
  const tls = server.url.startsWith('https');
  const material = options.auth === 'cert' ? (server.clientCertificateKubeconfig()['users'] as { user: Record<string, string> }[])[0]!.user : undefined;
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        ...(tls ? { ca: server.caCert } : {}),
        ...(material
          ? {
              cert: Buffer.from(material['client-certificate-data']!, 'base64').toString(),
              key: Buffer.from(material['client-key-data']!, 'base64').toString(),
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('kube-sim HTTP API', () => {
  let secure: KubeSimServer;
  let plain: KubeSimServer;

  beforeAll(async () => {
    [secure, plain] = await Promise.all([KubeSimServer.start(), KubeSimServer.start({ tls: false, token: 'plain-token' })]);
  });
  afterAll(async () => {
    await Promise.all([secure.close(), plain.close()]);
  });

  it('authenticates bearer tokens and client certificates, and rejects anonymous requests with a 401 Status', async () => {
    expect((await call(secure, '/api/v1/namespaces')).status).toBe(200);
    expect((await call(secure, '/api/v1/namespaces', { auth: 'cert' })).status).toBe(200);
    const anonymous = await call(secure, '/api/v1/namespaces', { auth: 'none' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await call(plain, '/api/v1/namespaces')).status).toBe(200);
    expect((await call(secure, '/version', { auth: 'none' })).json).toMatchObject({ major: '1', minor: '35', gitVersion: 'v1.35.0' });
  });

  it('serves legacy and aggregated discovery', async () => {
    const core = await call(secure, '/api/v1');
    const resources = core.json['resources'] as { name: string; namespaced: boolean; kind: string; shortNames?: string[] }[];
    expect(resources.find((r) => r.name === 'configmaps')).toMatchObject({ namespaced: true, kind: 'ConfigMap', shortNames: ['cm'] });
    expect(resources.find((r) => r.name === 'namespaces/status')).toMatchObject({ kind: 'Namespace' });
    const groups = (await call(secure, '/apis')).json['groups'] as { name: string; preferredVersion: { version: string } }[];
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'apiextensions.k8s.io']));
    expect(groups.find((g) => g.name === 'autoscaling')?.preferredVersion.version).toBe('v2');
    const scale = ((await call(secure, '/apis/apps/v1')).json['resources'] as { name: string; group?: string; kind: string }[]).find((r) => r.name === 'deployments/scale');
    expect(scale).toMatchObject({ group: 'autoscaling', kind: 'Scale' });

    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const aggregated = await call(secure, '/apis', { headers: { Accept: accept } });
    expect(aggregated.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const apps = (aggregated.json['items'] as { metadata: { name: string }; versions: { version: string; resources: Record<string, unknown>[] }[] }[]).find((i) => i.metadata.name === 'apps')!;
    expect(apps.versions[0]!.resources.find((r) => r['resource'] === 'deployments')).toMatchObject({
      responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      scope: 'Namespaced',
      singularResource: 'deployment',
      shortNames: ['deploy'],
      subresources: expect.arrayContaining([expect.objectContaining({ subresource: 'status' }), expect.objectContaining({ subresource: 'scale' })]),
    });
    const legacy = await call(secure, '/api', { headers: { Accept: accept } });
    expect((legacy.json['items'] as unknown[]).length).toBe(1);
  });

  it('serves /openapi/v2 and the /openapi/v3 index and group-version documents', async () => {
    const v2 = await call(secure, '/openapi/v2');
    expect(Object.keys(v2.json['definitions'] as object).length).toBe(771);
    const index = (await call(secure, '/openapi/v3')).json['paths'] as Record<string, { serverRelativeURL: string }>;
    const appsDoc = await call(secure, index['apis/apps/v1']!.serverRelativeURL);
    const schemas = (appsDoc.json['components'] as { schemas: Record<string, Record<string, unknown>> }).schemas;
    expect(schemas['io.k8s.api.apps.v1.Deployment']!['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const patch = (appsDoc.json['paths'] as Record<string, Record<string, { parameters?: { name: string }[] }>>)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!['patch']!;
    expect(patch.parameters?.map((p) => p.name)).toContain('fieldValidation');
    expect(JSON.stringify(appsDoc.json)).not.toContain('#/definitions/');
  });

  it.each([
    ['malformed JSON', '/api/v1/namespaces/default/configmaps', 'POST', 'application/json', '{"metadata":', 400, 'BadRequest'],
    ['malformed YAML apply', '/api/v1/namespaces/default/configmaps/x?fieldManager=t', 'PATCH', 'application/apply-patch+yaml', 'a: [b', 400, 'BadRequest'],
    ['an apply without fieldManager', '/api/v1/namespaces/default/configmaps/x', 'PATCH', 'application/apply-patch+yaml', 'apiVersion: v1\nkind: ConfigMap', 400, 'BadRequest'],
    ['an unknown patch type', '/api/v1/namespaces/default/configmaps/x', 'PATCH', 'text/plain', '{}', 415, 'UnsupportedMediaType'],
    ['a protobuf body', '/api/v1/namespaces/default/configmaps', 'POST', 'application/vnd.kubernetes.protobuf', 'k8s\u0000', 415, 'UnsupportedMediaType'],
    ['an unknown resource', '/apis/example.com/v1/namespaces/default/widgets', 'GET', 'application/json', undefined, 404, 'NotFound'],
    ['a bad name', '/api/v1/namespaces/default/configmaps', 'POST', 'application/json', '{"metadata":{"name":"Bad_Name"}}', 422, 'Invalid'],
    ['a kind mismatch', '/api/v1/namespaces/default/configmaps', 'POST', 'application/json', '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}', 400, 'BadRequest'],
    ['a create on an object path', '/api/v1/namespaces/default/configmaps/x', 'POST', 'application/json', '{}', 405, 'MethodNotAllowed'],
    ['a bad label selector', '/api/v1/configmaps?labelSelector=a%20in%20(', 'GET', 'application/json', undefined, 400, 'BadRequest'],
    ['a deeply nested body', '/api/v1/namespaces/default/configmaps', 'POST', 'application/json', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, 400, 'BadRequest'],
    ['a patch of a missing object', '/api/v1/namespaces/default/configmaps/kube-root', 'PATCH', 'application/json-patch+json', '[]', 404, 'NotFound'],
  ])('answers %s with a Status (%#)', async (_what, path, method, contentType, body, code, reason) => {
    const reply = await call(secure, path, { method, headers: { 'Content-Type': contentType }, body });
    expect(reply.status).toBe(code);
    expect(reply.json).toMatchObject({ kind: 'Status', status: 'Failure', code, reason });
  });

  it('runs 50 independent instances in one process', async () => {
    const fleet = await Promise.all(Array.from({ length: 50 }, () => KubeSimServer.start()));
    try {
      const ports = new Set(fleet.map((s) => new URL(s.url).port));
      expect(ports.size).toBe(50);
      await call(fleet[0]!, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"only-here"}}' });
      const found = await Promise.all(fleet.map((s) => call(s, '/api/v1/namespaces/default/configmaps/only-here')));
      expect(found.map((r) => r.status)).toEqual([200, ...Array(49).fill(404)]);
    } finally {
      await Promise.all(fleet.map((s) => s.close()));
    }
  });

  it('refuses bodies over 3 MiB with 413 and keeps serving', async () => {
    const huge = Buffer.alloc(3 * 1024 * 1024 + 10, 'a');
    const reply = await call(secure, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: huge });
    expect(reply.status).toBe(413);
    expect(reply.json).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    expect((await call(secure, '/api/v1/namespaces')).status).toBe(200);
  });

  it('answers kubectl-style Table requests with the upstream columns', async () => {
    await call(secure, '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'tabled' }, data: { a: '1', b: '2' } }) });
    const table = await call(secure, '/api/v1/namespaces/default/configmaps?includeObject=Object', {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' },
    });
    expect(table.json['kind']).toBe('Table');
    expect((table.json['columnDefinitions'] as { name: string }[]).map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    const row = (table.json['rows'] as { cells: unknown[]; object: { kind: string } }[]).find((r) => r.cells[0] === 'tabled')!;
    expect(row.cells[1]).toBe(2);
    expect(row.object.kind).toBe('ConfigMap');
  });
});
