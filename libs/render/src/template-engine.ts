import { Liquid, type Template } from 'liquidjs';

/** What templates may read: `cluster.name`, `cluster.labels.*`, `cluster.vars.*`, `values.*`. Nothing else. */
export interface TemplateContext {
  readonly cluster: { readonly name: string; readonly labels: Readonly<Record<string, string>>; readonly vars: Readonly<Record<string, unknown>> };
  readonly values: Readonly<Record<string, unknown>>;
}

/** A template that cannot be parsed or evaluated; the message says why, without a stack. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export interface TemplateLimits {
  /** Characters of one template. */
  readonly parseLimit: number;
  /** Milliseconds one scalar's render may take (checked by the engine between steps). */
  readonly renderLimitMs: number;
  /** Approximate characters one scalar's render may allocate. */
  readonly memoryLimit: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = { parseLimit: 20_000, renderLimitMs: 500, memoryLimit: 1_000_000 };

const SINGLE_EXPRESSION = /^\{\{-?\s*((?:(?!\}\}|\{\{)[\s\S])+?)\s*-?\}\}$/;
const HAS_TEMPLATE = /\{\{|\{%/;

type Compiled = { kind: 'expression'; source: string } | { kind: 'text'; templates: Template[] };

/**
 * Structural templating with liquidjs (design.md §4). Liquid was built to run templates written
 * by untrusted users (Shopify's storefronts): it has no access to JavaScript, and here it is
 * locked down further — own properties only (no `constructor`, `__proto__`), undefined variables
 * and filters are errors, no file system (includes/layouts refused), and parse, time and memory
 * limits. Renders additionally run in worker threads with a hard timeout (render-pool.ts).
 *
 * Only string scalars are templates. A scalar that is exactly one `{{ expression }}` keeps the
 * expression's type (`"{{ values.replicas }}"` → 3); any other template renders to a string, so a
 * value can never inject YAML structure.
 */
export class TemplateEngine {
  private readonly liquid: Liquid;
  private readonly compiled = new Map<string, Compiled>();

  constructor(private readonly limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS) {
    this.liquid = new Liquid({
      ownPropertyOnly: true,
      strictVariables: true,
      strictFilters: true,
      templates: {},
      relativeReference: false,
      dynamicPartials: false,
      jsTruthy: false,
      parseLimit: limits.parseLimit,
      renderLimit: limits.renderLimitMs,
      memoryLimit: limits.memoryLimit,
    });
    for (const tag of ['include', 'render', 'layout', 'block']) {
      this.liquid.registerTag(tag, {
        parse() {
          throw new TemplateError(`the "${tag}" tag is not available: templates cannot read other files`);
        },
        render() {
          return '';
        },
      });
    }
  }

  /** Whether a string holds any template syntax at all (most scalars do not). */
  static isTemplate(text: string): boolean {
    return HAS_TEMPLATE.test(text);
  }

  /** Renders one string scalar. */
  render(text: string, context: TemplateContext): unknown {
    const compiled = this.compile(text);
    try {
      if (compiled.kind === 'expression') {
        const value: unknown = this.liquid.evalValueSync(compiled.source, context);
        if (value === undefined) throw new TemplateError(`"${compiled.source}" is undefined`);
        return value;
      }
      return this.liquid.renderSync(compiled.templates, context, {
        renderLimit: this.limits.renderLimitMs,
        memoryLimit: this.limits.memoryLimit,
      }) as string;
    } catch (error) {
      throw asTemplateError(error);
    }
  }

  /**
   * The variable paths a template reads (`cluster.labels.region`), or undefined when it reads
   * something not known statically (`cluster.labels[values.key]`).
   */
  variablesOf(text: string): string[] | undefined {
    const compiled = this.compile(text);
    const templates = compiled.kind === 'expression' ? this.liquid.parse(`{{ ${compiled.source} }}`) : compiled.templates;
    try {
      const paths = this.liquid.fullVariablesSync(templates);
      return paths.some((path) => path.includes('[')) ? undefined : paths;
    } catch {
      return undefined;
    }
  }

  private compile(text: string): Compiled {
    let compiled = this.compiled.get(text);
    if (compiled) return compiled;
    try {
      const single = SINGLE_EXPRESSION.exec(text);
      compiled = single ? { kind: 'expression', source: single[1]! } : { kind: 'text', templates: this.liquid.parse(text) };
      if (single) this.liquid.parse(text); // syntax check now, not at the first render
    } catch (error) {
      throw asTemplateError(error);
    }
    if (this.compiled.size > 10_000) this.compiled.clear();
    this.compiled.set(text, compiled);
    return compiled;
  }
}

function asTemplateError(error: unknown): TemplateError {
  if (error instanceof TemplateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // liquidjs appends the template excerpt after a newline; the first line says what went wrong.
  return new TemplateError(message.split('\n')[0]!.replace(/, line:\d+, col:\d+$/, ''));
}
