import { GitError, GitErrorCode } from './git.error.js';

/** How a repository is reached; decides which git protocols a fetch may use. */
export type RepositoryTransport = 'https' | 'http' | 'ssh' | 'file';

export interface RepositoryUrlOptions {
  /** file:// URLs and absolute local paths (tests, demos); off in production. */
  readonly allowFileUrls?: boolean;
  /** Plain http:// (no transport security); off unless a test or a trusted network needs it. */
  readonly allowInsecureHttp?: boolean;
}

/** A URL git may be given as a positional argument: no option, no remote helper, no hidden whitespace. */
export interface ValidatedRepositoryUrl {
  readonly url: string;
  readonly transport: RepositoryTransport;
}

const MAX_URL_LENGTH = 2_048;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const REMOTE_HELPER = /^([A-Za-z0-9][A-Za-z0-9+.-]*)::/;
// git treats "host:path" as scp-like ssh when a ':' comes before any '/'.
const SCP_LIKE = /^(?:([^@/:]+)@)?([^@/:]+):(.*)$/;

/**
 * Accepts https:// and ssh (ssh:// or scp-like user@host:path); http:// and file:// / local paths
 * only when allowed. Refuses anything git could execute or read as an option: `<helper>::`
 * (ext::), a leading "-", hosts or users starting with "-", whitespace and control characters,
 * and passwords embedded in the URL (credentials belong in the source's credentials).
 */
export function validateRepositoryUrl(url: string, options: RepositoryUrlOptions = {}): ValidatedRepositoryUrl {
  const refuse = (problem: string): never => {
    throw new GitError(GitErrorCode.InvalidUrl, `repository URL "${printable(url)}" ${problem}`);
  };
  if (typeof url !== 'string' || url.length === 0) return refuse('is empty');
  if (url.length > MAX_URL_LENGTH) return refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  if (url.startsWith('-')) return refuse('starts with "-", which git would read as an option');
  const helper = REMOTE_HELPER.exec(url);
  if (helper) return refuse(`uses the remote-helper syntax "${helper[1]}::", which can run commands; only https and ssh are allowed`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\s\u0000-\u001f\u007f-\u009f]/u.test(url)) return refuse('contains whitespace or a control character');

  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return refuse('is not a valid URL');
    }
    const host = parsed.hostname;
    switch (scheme) {
      case 'https':
      case 'http':
        if (scheme === 'http' && !options.allowInsecureHttp) return refuse('uses http://, which is not encrypted; use https://');
        if (!host) return refuse('has no host');
        if (parsed.password) return refuse('contains a password; put credentials in the source credentials instead');
        return { url, transport: scheme };
      case 'ssh':
      case 'git+ssh':
      case 'ssh+git':
        if (!host) return refuse('has no host');
        if (host.startsWith('-') || decodeURIComponent(parsed.username).startsWith('-')) return refuse('has a host or user starting with "-"');
        if (parsed.password) return refuse('contains a password; use an SSH key in the source credentials instead');
        return { url, transport: 'ssh' };
      case 'file':
        if (!options.allowFileUrls) return refuse('is a file:// URL, which this hub does not allow (FLOTILLA_GIT_ALLOW_FILE_URLS)');
        return { url, transport: 'file' };
      default:
        return refuse(`uses the unsupported scheme "${scheme}://"; use https:// or ssh`);
    }
  }

  const scp = SCP_LIKE.exec(url);
  if (scp && !url.startsWith('/') && !url.startsWith('.')) {
    const [, user, host, path] = scp;
    if (host!.startsWith('-') || user?.startsWith('-')) return refuse('has a host or user starting with "-"');
    if (!path) return refuse('has no repository path after ":"');
    return { url, transport: 'ssh' };
  }

  if (!options.allowFileUrls) return refuse('is a local path, which this hub does not allow (FLOTILLA_GIT_ALLOW_FILE_URLS)');
  if (!url.startsWith('/')) return refuse('is a relative local path; give an absolute path or a file:// URL');
  return { url, transport: 'file' };
}

/** The URL as it may appear in a message: bounded, control characters escaped. */
function printable(url: unknown): string {
  const text = String(url).slice(0, 200);
  // eslint-disable-next-line no-control-regex -- escaping control characters for display
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
