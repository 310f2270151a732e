import { CliError } from '../cli.error.js';

/** The GraphQL `LabelSelectorInput`: equality requirements as matchLabels, the rest as matchExpressions. */
export interface LabelSelectorInput {
  matchLabels?: { key: string; value: string }[];
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

type TokenKind = 'id' | 'in' | 'notin' | '!' | '=' | '!=' | ',' | '(' | ')' | '<' | '>' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column in the selector text. */
  readonly position: number;
}

/** Characters that end an identifier, as in Kubernetes' label selector lexer. */
const SPECIAL = new Set([' ', '\t', '\n', ',', '=', '!', '(', ')', '<', '>']);

function tokenize(text: string, fail: (message: string, position: number) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      i += 1;
      continue;
    }
    const position = i + 1;
    if (ch === '!' && text[i + 1] === '=') {
      tokens.push({ kind: '!=', text: '!=', position });
      i += 2;
    } else if (ch === '=') {
      // `==` is the same as `=`.
      const length = text[i + 1] === '=' ? 2 : 1;
      tokens.push({ kind: '=', text: text.slice(i, i + length), position });
      i += length;
    } else if (ch === '!' || ch === ',' || ch === '(' || ch === ')' || ch === '<' || ch === '>') {
      tokens.push({ kind: ch, text: ch, position });
      i += 1;
    } else {
      let end = i;
      while (end < text.length && !SPECIAL.has(text[end]!)) end += 1;
      const word = text.slice(i, end);
      if (!/^[A-Za-z0-9._/-]+$/.test(word)) {
        const bad = [...word].findIndex((c) => !/[A-Za-z0-9._/-]/.test(c));
        fail(`unexpected character "${word[bad]}"`, position + bad);
      }
      tokens.push({ kind: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'id', text: word, position });
      i = end;
    }
  }
  tokens.push({ kind: 'end', text: '', position: text.length + 1 });
  return tokens;
}

/**
 * Parses a kubectl label selector (`env=prod,region in (eu-west,eu-central),!canary`, also `==`, `!=`, `notin`
 * and a bare `key` for Exists). A malformed selector is a usage error (exit code 2) naming the position, e.g.
 * `--selector: expected "(" after "in" at position 17`. Keys and values are checked for their characters here and
 * for the full Kubernetes rules by the hub.
 */
export function parseLabelSelector(text: string, option = '--selector'): LabelSelectorInput {
  const fail = (message: string, position: number): never => {
    throw new CliError(`${option}: ${message} at position ${position}\n  ${text}\n  ${' '.repeat(position - 1)}^`, 2);
  };
  const tokens = tokenize(text, fail);
  let at = 0;
  const peek = () => tokens[at]!;
  const next = () => tokens[at++]!;
  const describe = (token: Token) => (token.kind === 'end' ? 'the end' : `"${token.text}"`);
  const expectValue = (after: string): string => {
    const token = peek();
    // An empty value (`env=` or `env=,…`) is allowed, as in Kubernetes.
    if (token.kind === 'id' || token.kind === 'in' || token.kind === 'notin') return next().text;
    if (token.kind === ',' || token.kind === 'end' || token.kind === ')') return '';
    return fail(`expected a value after ${after}, found ${describe(token)}`, token.position);
  };

  const matchLabels: NonNullable<LabelSelectorInput['matchLabels']> = [];
  const matchExpressions: NonNullable<LabelSelectorInput['matchExpressions']> = [];
  if (peek().kind === 'end') return {};
  for (;;) {
    const first = next();
    if (first.kind === '!') {
      const key = next();
      if (key.kind !== 'id') fail(`expected a label key after "!", found ${describe(key)}`, key.position);
      matchExpressions.push({ key: key.text, operator: 'DoesNotExist' });
    } else if (first.kind === 'id' || first.kind === 'in' || first.kind === 'notin') {
      const key = first.text;
      const operator = next();
      switch (operator.kind) {
        case '=': {
          const value = expectValue(`"${key}${operator.text}"`);
          if (matchLabels.some((label) => label.key === key)) matchExpressions.push({ key, operator: 'In', values: [value] });
          else matchLabels.push({ key, value });
          break;
        }
        case '!=':
          matchExpressions.push({ key, operator: 'NotIn', values: [expectValue(`"${key}!="`)] });
          break;
        case 'in':
        case 'notin': {
          const open = next();
          if (open.kind !== '(') fail(`expected "(" after "${operator.text}", found ${describe(open)}`, open.position);
          const values: string[] = [];
          for (;;) {
            const value = next();
            if (value.kind !== 'id' && value.kind !== 'in' && value.kind !== 'notin') fail(`expected a value in the "${operator.text}" list, found ${describe(value)}`, value.position);
            values.push(value.text);
            const separator = next();
            if (separator.kind === ')') break;
            if (separator.kind !== ',') fail(`expected "," or ")" in the "${operator.text}" list, found ${describe(separator)}`, separator.position);
          }
          matchExpressions.push({ key, operator: operator.kind === 'in' ? 'In' : 'NotIn', values });
          break;
        }
        case ',':
        case 'end':
          matchExpressions.push({ key, operator: 'Exists' });
          at -= 1;
          break;
        case '<':
        case '>':
          fail(`the operator "${operator.text}" is not supported (use =, !=, in, notin, key or !key)`, operator.position);
          break;
        default:
          fail(`expected an operator (=, ==, !=, in, notin) or "," after "${key}", found ${describe(operator)}`, operator.position);
      }
    } else {
      fail(`expected a label key or "!key", found ${describe(first)}`, first.position);
    }
    const separator = next();
    if (separator.kind === 'end') break;
    if (separator.kind !== ',') fail(`expected "," between requirements, found ${describe(separator)}`, separator.position);
    if (peek().kind === 'end') fail('expected a requirement after ","', peek().position);
  }
  return {
    ...(matchLabels.length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}
