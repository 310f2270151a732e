import { comparePathElements, type FieldPath, type PathElement } from './field-path.js';

/** FieldsV1 as JSON: a trie of path elements; `.` marks that the node itself is a member. */
export interface FieldsV1 {
  readonly [element: string]: FieldsV1;
}

/**
 * A set of field paths stored as a trie, mirroring structured-merge-diff's `fieldpath.Set`:
 * `members` are the paths ending at this node, `children` hold longer paths. Mutable; the
 * set-algebra methods return new sets and never change their inputs.
 */
export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();

  static fromPaths(paths: Iterable<FieldPath>): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Parses FieldsV1; unknown shapes are ignored rather than trusted (managedFields can come from clients). */
  static fromFieldsV1(json: unknown): FieldSet {
    const set = new FieldSet();
    if (json === null || typeof json !== 'object') return set;
    for (const [pe, child] of Object.entries(json as Record<string, unknown>)) {
      if (pe === '.') continue;
      const nested = FieldSet.fromFieldsV1(child);
      const isMember = child !== null && typeof child === 'object' && ('.' in child || Object.keys(child).length === 0);
      if (isMember) set.members.add(pe);
      if (!nested.isEmpty()) set.children.set(pe, nested);
    }
    return set;
  }

  insert(path: FieldPath): void {
    if (path.length === 0) return;
    const parent = path.slice(0, -1).reduce<FieldSet>((node, pe) => node.child(pe), this);
    parent.members.add(path[path.length - 1]!);
  }

  has(path: FieldPath): boolean {
    const node = this.nodeAt(path.slice(0, -1));
    return node !== undefined && path.length > 0 && node.members.has(path[path.length - 1]!);
  }

  /** True when the set holds `path` itself or anything below it. */
  hasPrefix(path: FieldPath): boolean {
    if (path.length === 0) return !this.isEmpty();
    const parent = this.nodeAt(path.slice(0, -1));
    const last = path[path.length - 1]!;
    return parent !== undefined && (parent.members.has(last) || parent.children.has(last));
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.addAll(other);
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, child] of this.children) {
      const theirs = other.children.get(pe);
      const rest = theirs ? child.difference(theirs) : child.clone();
      if (!rest.isEmpty()) out.children.set(pe, rest);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.members.add(m);
    for (const [pe, child] of this.children) {
      const theirs = other.children.get(pe);
      if (!theirs) continue;
      const both = child.intersection(theirs);
      if (!both.isEmpty()) out.children.set(pe, both);
    }
    return out;
  }

  /** Every member path, depth-first in upstream order. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    for (const pe of this.sortedElements()) {
      const path = [...prefix, pe];
      if (this.members.has(pe)) out.push(path);
      const child = this.children.get(pe);
      if (child) out.push(...child.paths(path));
    }
    return out;
  }

  toFieldsV1(): FieldsV1 {
    const out: Record<string, FieldsV1> = {};
    for (const pe of this.sortedElements()) {
      const child = this.children.get(pe);
      if (!child) {
        out[pe] = {};
        continue;
      }
      const nested = child.toFieldsV1();
      out[pe] = this.members.has(pe) ? { '.': {}, ...nested } : nested;
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.addAll(this);
    return out;
  }

  private addAll(other: FieldSet): void {
    for (const m of other.members) this.members.add(m);
    for (const [pe, child] of other.children) this.child(pe).addAll(child);
  }

  private child(pe: PathElement): FieldSet {
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  private nodeAt(path: FieldPath): FieldSet | undefined {
    return path.reduce<FieldSet | undefined>((node, pe) => node?.children.get(pe), this);
  }

  private sortedElements(): PathElement[] {
    const all = new Set<PathElement>([...this.members, ...this.children.keys()]);
    return [...all].sort(comparePathElements);
  }
}
