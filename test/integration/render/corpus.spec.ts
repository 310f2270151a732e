import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliKustomizeBuilder, identityOf, prepareBundle, renderForCluster, type KubeObject } from '@flotilla/render';
import { parseAllDocuments } from 'yaml';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'corpus', 'argocd-example-apps');

async function filesOf(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(relative(dir, path), await readFile(path, 'utf8'));
    }
  };
  await walk(dir);
  return files;
}

function withoutBundleLabel(object: KubeObject): KubeObject {
  const labels = { ...object.metadata.labels };
  delete labels['flotilla.dev/bundle'];
  const metadata = { ...object.metadata, labels };
  if (Object.keys(labels).length === 0) delete (metadata as { labels?: unknown }).labels;
  return { ...object, metadata };
}

const cluster = { name: 'corpus', labels: {}, vars: {} };

describe('real-world bundles from argocd-example-apps', () => {
  let kustomize: CliKustomizeBuilder | undefined;
  beforeAll(async () => {
    kustomize = await CliKustomizeBuilder.detect();
    if (!kustomize) console.warn('skipping the Kustomize corpus tests: neither kustomize nor kubectl is on the PATH');
  });

  it.each(['sock-shop', 'kustomize-guestbook'])('%s renders (Kustomize) to the same objects as kubectl kustomize', async (app) => {
    if (!kustomize) return;
    const files = await filesOf(join(corpus, app));
    files.set('flotilla.yaml', `name: ${app}\n`);
    const prepared = await prepareBundle({ dir: app, files }, { kustomize });
    const rendered = renderForCluster(prepared, cluster);

    const expected = parseAllDocuments(execFileSync('kubectl', ['kustomize', join(corpus, app)], { encoding: 'utf8' })).map(
      (doc) => doc.toJS() as KubeObject,
    );
    const byIdentity = (objects: KubeObject[]) => new Map(objects.map((object) => [identityOf(object), object]));
    const actual = byIdentity(rendered.manifests.map(withoutBundleLabel));
    expect([...actual.keys()].sort()).toEqual([...byIdentity(expected).keys()].sort());
    for (const [identity, object] of byIdentity(expected)) expect(actual.get(identity)).toEqual(object);
    for (const manifest of rendered.manifests) expect(manifest.metadata.labels?.['flotilla.dev/bundle']).toBe(app);
    if (app === 'sock-shop') expect(rendered.manifests).toHaveLength(29);
  });

  it('guestbook (plain YAML) renders with a default namespace', async () => {
    const files = await filesOf(join(corpus, 'guestbook'));
    files.set('flotilla.yaml', 'name: guestbook\nnamespace: guestbook\n');
    const rendered = renderForCluster(await prepareBundle({ dir: 'guestbook', files }), cluster);
    expect(rendered.manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'Service/guestbook/guestbook-ui',
      'Deployment/guestbook/guestbook-ui',
    ]);
  });
});
