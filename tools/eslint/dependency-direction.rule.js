// ESLint rule enforcing the dependency direction of conventions.md:
// apps → libs; libs never import apps; apps never import each other (hub and agent talk over gRPC);
// libs reach other libs only through their `@flotilla/<name>` barrel; pure libs import no
// framework, ORM or transport (`@nestjs/*`, `typeorm`, `@grpc/*`).
import { dirname, relative, resolve, sep } from 'node:path';

const FORBIDDEN_IN_PURE_LIBS = [/^@nestjs\//, /^typeorm(\/|$)/, /^@grpc\//];

function unitOf(root, file) {
  const parts = relative(root, file).split(sep);
  if ((parts[0] === 'apps' || parts[0] === 'libs') && parts.length > 2) return { kind: parts[0], name: parts[1] };
  return undefined;
}

export const dependencyDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'keeps imports pointing from apps to libs, and pure libs free of frameworks' },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' }, infrastructureLibs: { type: 'array', items: { type: 'string' } } },
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const { root, infrastructureLibs = [] } = context.options[0] ?? {};
    const file = context.filename;
    const from = unitOf(root, file);
    if (!from) return {};

    function check(node, source) {
      if (typeof source !== 'string') return;
      const report = (message) => context.report({ node, message });
      if (source.startsWith('.')) {
        const to = unitOf(root, resolve(dirname(file), source));
        if (!to || (to.kind === from.kind && to.name === from.name)) return;
        if (from.kind === 'libs' && to.kind === 'apps') return report(`libs never import apps: libs/${from.name} imports apps/${to.name}`);
        if (from.kind === 'apps' && to.kind === 'apps') {
          return report(`apps never import each other: apps/${from.name} imports apps/${to.name} (share code through a lib)`);
        }
        if (to.kind === 'libs') return report(`import libs/${to.name} through its barrel "@flotilla/${to.name}", not by path`);
        return;
      }
      if (/^@flotilla\/[^/]+\/./.test(source)) return report(`import "${source.split('/').slice(0, 2).join('/')}" (the barrel), not a file inside it`);
      if (from.kind === 'libs' && !infrastructureLibs.includes(from.name) && FORBIDDEN_IN_PURE_LIBS.some((re) => re.test(source))) {
        return report(`libs/${from.name} is a pure library and must not import "${source}" (frameworks, ORM and transport stay in apps and infrastructure libs)`);
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
