import { GitError, GitErrorCode } from './git.error.js';
import { validateSubPath } from './validate-sub-path.util.js';

describe('validateSubPath', () => {
  it.each([
    ['', ''],
    ['.', ''],
    ['./', ''],
    ['deploy', 'deploy'],
    ['deploy/', 'deploy'],
    ['./deploy//prod/', 'deploy/prod'],
    ['deploy/./prod', 'deploy/prod'],
    ['a..b/c', 'a..b/c'],
  ])('normalises %j to %j', (input, expected) => {
    expect(validateSubPath(input)).toBe(expected);
  });

  it.each([
    ['..', '".."'],
    ['../etc', '".."'],
    ['deploy/../../etc', '".."'],
    ['/etc', 'is absolute'],
    ['deploy\\prod', 'backslash'],
    [':(glob)**', 'pathspec magic'],
    ['a\u0000b', 'control character'],
    ['a\nb', 'control character'],
    ['.git/config', '".git"'],
    ['x/.GIT', '".git"'],
    ['a'.repeat(1_025), 'longer than 1024'],
  ])('refuses %j (%s)', (input, problem) => {
    let error: unknown;
    try {
      validateSubPath(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).code).toBe(GitErrorCode.InvalidPath);
    expect((error as GitError).message).toContain(problem);
  });
});
