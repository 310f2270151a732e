import { GitError, GitErrorCode } from './git.error.js';

/**
 * Normalises a path inside a repository ("", ".", "./deploy/", "deploy//prod") to its plain form
 * ("" for the root, "deploy", "deploy/prod"), refusing absolute paths, ".." components,
 * backslashes, control characters and pathspec magic (a leading ":").
 */
export function validateSubPath(path: string): string {
  const refuse = (problem: string): never => {
    throw new GitError(GitErrorCode.InvalidPath, `path "${String(path).slice(0, 200)}" ${problem}`, { path: String(path) });
  };
  if (typeof path !== 'string') return refuse('is not a string');
  if (path.length > 1_024) return refuse('is longer than 1024 characters');
  // eslint-disable-next-line no-control-regex -- control characters have no place in a sub-path
  if (/[\u0000-\u001f\u007f]/.test(path)) return refuse('contains a control character');
  if (path.includes('\\')) return refuse('contains a backslash; use "/"');
  if (path.startsWith('/')) return refuse('is absolute; give a path relative to the repository root');
  if (path.startsWith(':')) return refuse('starts with ":" (git pathspec magic)');
  const components = path.split('/').filter((component) => component !== '' && component !== '.');
  if (components.includes('..')) return refuse('contains ".."; it must stay inside the repository');
  if (components.some((component) => component.toLowerCase() === '.git')) return refuse('names a ".git" directory');
  return components.join('/');
}
