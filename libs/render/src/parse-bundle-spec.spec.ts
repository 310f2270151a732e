import { DEFAULT_TAKEOVER } from '@flotilla/manifest';
import { parseBundleSpec } from './parse-bundle-spec.js';
import { BundleSpecError, RenderError } from './render.error.js';

const FULL = `name: web
namespace: web
targets:
  - selector: {matchLabels: {env: prod}}
  - selector: {matchExpressions: [{key: region, operator: In, values: [eu-west, eu-central]}]}
values: {replicas: 2, image: "nginx:1.27"}
overlays:
  - selector: {matchLabels: {region: eu-west}}
    values: {replicas: 4}
    patches:
      - target: {kind: Deployment, name: web}
        merge: {spec: {template: {metadata: {annotations: {tier: gold}}}}}
      - target: {kind: Service, name: web}
        jsonPatch: [{op: replace, path: /spec/type, value: LoadBalancer}]
apply:
  prune: true
  drift: report
  ignore:
    - target: {kind: Deployment}
      paths: [/spec/replicas]
dependsOn: [crds]
suspend: false
rollout:
  waves:
    - name: canary
      selector: {matchLabels: {canary: "true"}}
      maxConcurrent: 1
    - name: rest
      maxConcurrent: 25%
      approval: true
  bake: 5m
  progressDeadline: 10m
  maxFailures: 1
  onFailure: rollback
`;

function issuesOf(text: string, dir = 'apps/web'): string[] {
  try {
    parseBundleSpec(text, `${dir}/flotilla.yaml`, dir);
  } catch (error) {
    if (error instanceof BundleSpecError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a BundleSpecError');
}

describe('parseBundleSpec', () => {
  it('accepts the whole format of the design and fills defaults', () => {
    const spec = parseBundleSpec(FULL, 'apps/web/flotilla.yaml', 'apps/web');
    expect(spec.name).toBe('web');
    expect(spec.overlays[0]!.patches).toHaveLength(2);
    expect(spec.apply).toEqual({
      prune: true,
      drift: 'report',
      forceConflicts: false,
      takeover: DEFAULT_TAKEOVER,
      ignore: [{ target: { kind: 'Deployment' }, paths: ['/spec/replicas'] }],
      adopt: false,
      deletionPolicy: 'delete',
    });
    expect(spec.rollout!.waves[1]).toEqual({ name: 'rest', maxConcurrent: '25%', approval: true });
  });

  it('defaults the name to the directory and targets to none', () => {
    const spec = parseBundleSpec('', 'infra/monitoring/flotilla.yaml', 'infra/monitoring');
    expect(spec).toMatchObject({ name: 'monitoring', targets: [], overlays: [], dependsOn: [], suspend: false });
    expect(spec.apply.drift).toBe('correct');
  });

  it.each([
    ['nmae: web\n', 'apps/web/flotilla.yaml:1:1: unknown field "nmae"'],
    ['name: Web\n', 'apps/web/flotilla.yaml:1:7: name: must be a DNS-1123 label'],
    ['targets:\n  - selector:\n      matchExpressions:\n        - {key: region, operator: Near, values: [a]}\n', 'apps/web/flotilla.yaml:4:35: targets[0].selector.matchExpressions[0].operator: expected In, NotIn, Exists or DoesNotExist'],
    ['apply:\n  drift: sometimes\n', 'apps/web/flotilla.yaml:2:10: apply.drift: expected correct, report or ignore'],
    ['apply:\n  prune: true\n  purne: false\n', 'apps/web/flotilla.yaml:3:3: apply: unknown field "purne"'],
    ['overlays:\n  - selector: {}\n    patches:\n      - target: {kind: Service}\n', 'overlays[0].patches[0]: a patch has exactly one of merge or jsonPatch'],
    ['rollout:\n  waves: []\n', 'apps/web/flotilla.yaml:2:10: rollout.waves: a rollout needs at least one wave'],
    ['rollout:\n  waves: [{name: a}]\n  bake: 5 minutes\n', 'apps/web/flotilla.yaml:3:9: rollout.bake: expected a duration'],
    ['rollout:\n  waves: [{name: a, maxConcurrent: 150%}]\n', 'rollout.waves[0].maxConcurrent'],
    ['dependsOn: [web]\n', 'bundle "web" cannot depend on itself'],
    ['dependsOn: [a, a]\n', 'dependsOn lists a bundle twice'],
    ['name: a\nname: b\n', 'apps/web/flotilla.yaml:2:1: invalid YAML: Map keys must be unique'],
    ['- just\n- a list\n', 'expected a mapping of bundle fields'],
    ['name: a\n---\nname: b\n', 'flotilla.yaml holds one document'],
    ['overlays:\n  - selector: {matchLabels: {"bad key!": x}}\n', 'label key "bad key!"'],
  ])('reports %j with file, line and reason', (text, expected) => {
    expect(issuesOf(text).join('\n')).toContain(expected);
  });

  it('reports every problem at once', () => {
    expect(issuesOf('name: Web\nsuspend: maybe\nextra: 1\n')).toHaveLength(3);
  });

  it('needs a name when the directory name is not a valid one', () => {
    expect(issuesOf('', 'apps/My_App')[0]).toContain('the directory name "My_App" is not a DNS-1123 label: set name');
    expect(parseBundleSpec('name: my-app\n', 'apps/My_App/flotilla.yaml', 'apps/My_App').name).toBe('my-app');
  });

  it('refuses a YAML alias bomb quickly', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 9; i += 1) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      bomb.push(`${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    const started = Date.now();
    expect(() => parseBundleSpec(`values:\n  ${bomb.join('\n  ')}\n`, 'x/flotilla.yaml', 'x')).toThrow(RenderError);
    expect(() => parseBundleSpec(`values:\n  ${bomb.join('\n  ')}\n`, 'x/flotilla.yaml', 'x')).toThrow(/aliases expand too far/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
