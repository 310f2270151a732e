import { GitError, GitErrorCode } from './git.error.js';

/**
 * Accepts a branch or tag name (`main`, `release/1.2`, `v1.0.0`, or `refs/heads/…` / `refs/tags/…`)
 * by the rules of `git check-ref-format`, and refuses anything git could read as an option or a
 * revision expression. Returns the name unchanged.
 */
export function validateRefName(ref: string): string {
  const refuse = (problem: string): never => {
    throw new GitError(GitErrorCode.InvalidRef, `ref "${String(ref).slice(0, 100)}" ${problem}`);
  };
  if (typeof ref !== 'string' || ref.length === 0) return refuse('is empty');
  if (ref.length > 255) return refuse('is longer than 255 characters');
  if (ref.startsWith('-')) return refuse('starts with "-"');
  // eslint-disable-next-line no-control-regex -- control characters are refused by git check-ref-format
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(ref)) return refuse('contains a space, a control character or one of ~ ^ : ? * [ \\');
  if (ref.includes('..')) return refuse('contains ".."');
  if (ref.includes('@{') || ref === '@') return refuse('contains "@{" or is "@"');
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) return refuse('has an empty path component');
  if (ref.endsWith('.')) return refuse('ends with "."');
  for (const component of ref.split('/')) {
    if (component.startsWith('.')) return refuse(`has a component starting with "." ("${component}")`);
    if (component.endsWith('.lock')) return refuse(`has a component ending with ".lock" ("${component}")`);
  }
  if (ref.startsWith('refs/') && !ref.startsWith('refs/heads/') && !ref.startsWith('refs/tags/')) {
    return refuse('must be a branch or a tag (refs/heads/… or refs/tags/…)');
  }
  if (ref === 'HEAD' || /^[0-9a-f]{40}$/i.test(ref)) return refuse('must name a branch or a tag');
  return ref;
}
