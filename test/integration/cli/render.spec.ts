import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBundle, renderForCluster } from '@flotilla/render';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../support/run-cli.js';

const guestbook = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'corpus', 'argocd-example-apps', 'guestbook');

describe('flotilla render', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-render-'));
    await cp(guestbook, dir, { recursive: true });
    await writeFile(
      join(dir, 'flotilla.yaml'),
      'name: guestbook\nnamespace: gb\ntargets: [{selector: {matchLabels: {env: prod}}}]\nvalues: {replicas: 2}\noverlays:\n  - selector: {matchLabels: {region: eu}}\n    patches: [{target: {kind: Deployment}, merge: {spec: {replicas: "{{ values.replicas }}"}, metadata: {annotations: {owner: "{{ cluster.vars.owner }}"}}}}]\n',
    );
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('prints what the library renders for the same inputs, as YAML and as JSON', async () => {
    const yaml = await runCli(['render', dir, '--cluster', 'eu-1', '--label', 'env=prod', '--label', 'region=eu', '--var', 'owner=team-a']);
    expect(yaml.code).toBe(0);
    const { readBundleDirectory } = await import('../../../apps/cli/src/read-bundle-dir.js');
    const files = await readBundleDirectory(dir);
    const expected = renderForCluster(await prepareBundle({ dir: dir.split('/').at(-1)!, files }), {
      name: 'eu-1',
      labels: { env: 'prod', region: 'eu' },
      vars: { owner: 'team-a' },
    });
    expect(parseAllDocuments(yaml.stdout).map((doc) => doc.toJS())).toEqual(expected.manifests);
    expect(yaml.stderr).toContain(`bundle guestbook: 2 objects, ${expected.hash}`);

    const json = await runCli(['render', dir, '--cluster', 'eu-1', '--label', 'env=prod', '--label', 'region=eu', '--var', 'owner=team-a', '-o', 'json']);
    expect(JSON.parse(json.stdout).items).toEqual(expected.manifests);
  });

  it('notes when the bundle does not target the given labels', async () => {
    const result = await runCli(['render', dir, '--var', 'owner=x']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('do not select a cluster with these labels');
  });

  it.each([
    ['a broken template', 'owner: "{{ values.nope }}"', /^flotilla: guestbook-ui-deployment\.yaml/],
    ['an invalid spec', 'spec', /^flotilla: flotilla-render-\w+\/flotilla\.yaml:1:1: unknown field "nmae"/],
  ])('exits 1 with a one-line error for %s', async (_name, kind) => {
    if (kind === 'spec') await writeFile(join(dir, 'flotilla.yaml'), 'nmae: x\n');
    else await writeFile(join(dir, 'extra.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {${kind}}\n`);
    const result = await runCli(['render', dir, '--label', 'region=eu', '--var', 'owner=x']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    if (kind === 'spec') expect(result.stderr).toMatch(/flotilla\.yaml:1:1: unknown field "nmae"/);
    else expect(result.stderr).toMatch(/extra\.yaml:1: ConfigMap x: data\.owner: undefined variable: values\.nope/);
  });

  it('refuses a symlink that leaves the bundle directory', async () => {
    await symlink('/etc/passwd', join(dir, 'passwd.yaml'));
    const result = await runCli(['render', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('passwd.yaml: a symlink pointing outside the bundle directory');
  });

  it('refuses bad options with exit code 2', async () => {
    expect((await runCli(['render', dir, '-o', 'xml'])).code).toBe(2);
    expect((await runCli(['render', dir, '--label', 'nolabel'])).code).toBe(2);
    const missing = await runCli(['render', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such directory');
  });
});
