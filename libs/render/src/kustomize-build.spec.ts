import { checkKustomizations } from './kustomize-build.js';
import { RenderError } from './render.error.js';

function check(kustomization: string, path = 'kustomization.yaml'): void {
  checkKustomizations(new Map([[path, kustomization]]), 'apps/shop');
}

describe('checkKustomizations', () => {
  it.each([
    ['resources: [deployment.yaml, base/]\n', 'kustomization.yaml'],
    ['resources: [../base]\n', 'overlays/prod/kustomization.yaml'],
    ['configMapGenerator: [{name: c, files: [app.conf, key=conf/other.conf]}]\n', 'kustomization.yaml'],
    ['patches: [{path: patch.yaml, target: {kind: Deployment}}]\n', 'kustomization.yaml'],
  ])('accepts %j', (text, path) => {
    expect(() => check(text, path)).not.toThrow();
  });

  it.each([
    ['resources: [https://github.com/kubernetes-sigs/kustomize//examples/multibases?ref=v3.3.1]\n', 'remote base'],
    ['resources: [github.com/org/repo/deploy]\n', 'remote base'],
    ['bases: [git@github.com:org/repo.git]\n', 'remote base'],
    ['resources: [ssh://git@example.com/repo.git//dir]\n', 'remote base'],
    ['resources: [../outside]\n', 'points outside the bundle directory'],
    ['resources: [/etc/passwd]\n', 'points outside the bundle directory'],
    ['configMapGenerator: [{name: c, files: [k=../../secret]}]\n', 'points outside the bundle directory'],
    ['patches: [{path: ../../x.yaml}]\n', 'points outside the bundle directory'],
    ['helmCharts: [{name: redis, repo: https://charts.example.com}]\n', 'Helm chart inflation is not supported'],
  ])('refuses %j', (text, message) => {
    expect(() => check(text)).toThrow(RenderError);
    expect(() => check(text)).toThrow(message);
  });
});
