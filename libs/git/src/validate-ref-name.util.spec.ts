import { GitError } from './git.error.js';
import { validateRefName } from './validate-ref-name.util.js';

describe('validateRefName', () => {
  it.each(['main', 'release/1.2', 'v1.0.0', 'feature/a-b_c', 'refs/heads/main', 'refs/tags/v2', 'déploiement'])('accepts %s', (ref) => {
    expect(validateRefName(ref)).toBe(ref);
  });

  it.each([
    ['', 'is empty'],
    ['-main', 'starts with "-"'],
    ['--upload-pack=x', 'starts with "-"'],
    ['main..dev', '".."'],
    ['main@{1}', '"@{"'],
    ['@', '"@{" or is "@"'],
    ['a b', 'a space'],
    ['a\nb', 'control character'],
    ['a~1', '~'],
    ['a^', '^'],
    ['a:b', ':'],
    ['a?', '?'],
    ['a*', '*'],
    ['a[b', '['],
    ['a\\b', '\\'],
    ['/main', 'empty path component'],
    ['main/', 'empty path component'],
    ['a//b', 'empty path component'],
    ['main.', 'ends with "."'],
    ['.hidden', 'starting with "."'],
    ['a/.b', 'starting with "."'],
    ['main.lock', '".lock"'],
    ['refs/remotes/origin/main', 'branch or a tag'],
    ['HEAD', 'branch or a tag'],
    ['0123456789abcdef0123456789abcdef01234567', 'branch or a tag'],
    ['x'.repeat(256), 'longer than 255'],
  ])('refuses %j (%s)', (ref, problem) => {
    expect(() => validateRefName(ref)).toThrow(GitError);
    expect(() => validateRefName(ref)).toThrow(problem);
  });
});
