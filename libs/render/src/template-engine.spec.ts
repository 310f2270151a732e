import { TemplateEngine, TemplateError, type TemplateContext } from './template-engine.js';

const context: TemplateContext = {
  cluster: { name: 'prod-eu-1', labels: { region: 'eu-west', env: 'prod' }, vars: { domain: 'eu.example.com', evil: 'a\nb: {c: d}' } },
  values: { replicas: 3, image: 'nginx:1.27', enabled: true, resources: { cpu: '100m' } },
};

describe('TemplateEngine', () => {
  const engine = new TemplateEngine();

  it.each<[string, unknown]>([
    ['{{ values.replicas }}', 3],
    ['{{values.enabled}}', true],
    ['{{ values.resources }}', { cpu: '100m' }],
    ['{{ cluster.name }}', 'prod-eu-1'],
    ['web-{{ cluster.labels.region }}', 'web-eu-west'],
    ['{{ cluster.vars.domain | prepend: "api." }}', 'api.eu.example.com'],
    ['{{ values.replicas }} replicas', '3 replicas'],
    ['{% if cluster.labels.env == "prod" %}big{% else %}small{% endif %}', 'big'],
    ['{{ cluster.vars.evil }}', 'a\nb: {c: d}'],
  ])('%s → %j', (template, expected) => {
    expect(engine.render(template, context)).toEqual(expected);
  });

  it.each([
    ['{{ values.missing }}', 'undefined variable: values.missing'],
    ['{{ cluster.constructor }}', 'undefined variable: cluster.constructor'],
    ['{{ values.__proto__ }}', 'undefined variable'],
    ['{{ values.replicas.constructor.name }}', 'undefined variable'],
    ['{{ process.env.HOME }}', 'undefined variable: process'],
    ['{% include "secret" %}', 'templates cannot read other files'],
    ['{% render "x" %}', 'templates cannot read other files'],
    ['{{ values.replicas | nosuchfilter }}', 'undefined filter: nosuchfilter'],
    ['{% if %}', 'invalid'],
  ])('refuses %s', (template, message) => {
    expect(() => engine.render(template, context)).toThrow(TemplateError);
    expect(() => engine.render(template, context)).toThrow(new RegExp(message, 'i'));
  });

  it('stops templates that loop or explode their output', () => {
    const started = Date.now();
    expect(() => engine.render('{% for i in (1..100000000) %}{{ i }}{% endfor %}', context)).toThrow(TemplateError);
    expect(() => engine.render('{% assign s = "xxxxxxxxxxxxxxxx" %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s }}', context)).toThrow(
      TemplateError,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('knows which variables a template reads', () => {
    expect(engine.variablesOf('{{ cluster.name }}-{{ values.image }}')).toEqual(['cluster.name', 'values.image']);
    expect(engine.variablesOf('{{ cluster.labels[values.key] }}')).toBeUndefined();
  });
});
