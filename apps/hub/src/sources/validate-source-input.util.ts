import {
  GitError,
  validateRefName,
  validateRepositoryUrl,
  validateSubPath,
  type GitCredentials,
  type RepositoryUrlOptions,
  type ValidatedRepositoryUrl,
} from '@flotilla/git';
import { SourceException, SourceExceptionCode } from './source.exception.js';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_SECRET_LENGTH = 16_384;

/** Raw credentials as they arrive in the API. */
export interface CredentialsArgument {
  readonly httpsToken?: string | null;
  readonly httpsUsername?: string | null;
  readonly sshPrivateKey?: string | null;
  readonly sshKnownHosts?: string | null;
}

const invalid = (argument: string, message: string): SourceException =>
  new SourceException(SourceExceptionCode.InvalidSourceInput, message, argument);

/** Runs a @flotilla/git validator, turning its GitError into a BAD_USER_INPUT for `argument`. */
function viaGit<T>(argument: string, validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof GitError) throw invalid(argument, error.message);
    throw error;
  }
}

export function validateSourceName(name: string, argument = 'input.name'): string {
  if (name.length > 63 || !DNS_1123_LABEL.test(name)) {
    throw invalid(argument, `"${name.slice(0, 80)}" is not a DNS-1123 label (lowercase letters, digits and "-", at most 63, alphanumeric at both ends)`);
  }
  return name;
}

export function validateSourceUrl(url: string, options: RepositoryUrlOptions, argument = 'input.url'): ValidatedRepositoryUrl {
  return viaGit(argument, () => validateRepositoryUrl(url, options));
}

export function validateSourceRef(ref: string, argument = 'input.ref'): string {
  return viaGit(argument, () => validateRefName(ref));
}

export function validateSourcePath(path: string, argument = 'input.path'): string {
  return viaGit(argument, () => validateSubPath(path));
}

export function validatePollInterval(seconds: number | null | undefined, argument = 'input.pollIntervalSeconds'): number | null {
  if (seconds === null || seconds === undefined) return null;
  if (!Number.isInteger(seconds) || (seconds !== 0 && (seconds < 10 || seconds > 86_400))) {
    throw invalid(argument, `must be 0 (no polling) or from 10 to 86400 seconds, got ${seconds}`);
  }
  return seconds;
}

/**
 * Turns API credentials into GitCredentials fit for the URL's transport. Messages name the field
 * at fault, never its value.
 */
export function validateSourceCredentials(input: CredentialsArgument, url: ValidatedRepositoryUrl, argument = 'input.credentials'): GitCredentials {
  const present = (value: string | null | undefined): value is string => typeof value === 'string' && value.length > 0;
  const https = present(input.httpsToken);
  const ssh = present(input.sshPrivateKey) || present(input.sshKnownHosts);
  if (https === ssh) throw invalid(argument, 'give either httpsToken or sshPrivateKey with sshKnownHosts');
  for (const [field, value] of Object.entries(input)) {
    if (typeof value === 'string' && value.length > MAX_SECRET_LENGTH) throw invalid(`${argument}.${field}`, `is longer than ${MAX_SECRET_LENGTH} characters`);
  }
  if (https) {
    if (url.transport === 'ssh') throw invalid(argument, 'an HTTPS token cannot be used with an ssh URL');
    if (/[\s]/.test(input.httpsToken!)) throw invalid(`${argument}.httpsToken`, 'must not contain whitespace or line breaks');
    const username = input.httpsUsername?.trim();
    // eslint-disable-next-line no-control-regex -- control characters are refused in the user name
    if (username && /[\u0000-\u001f\u007f:]/.test(username)) throw invalid(`${argument}.httpsUsername`, 'must not contain ":" or control characters');
    return { kind: 'https-token', token: input.httpsToken!, ...(username ? { username } : {}) };
  }
  if (url.transport === 'https' || url.transport === 'http') throw invalid(argument, 'an SSH key cannot be used with an https URL');
  if (!present(input.sshPrivateKey) || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(input.sshPrivateKey)) {
    throw invalid(`${argument}.sshPrivateKey`, 'must be an OpenSSH or PEM private key');
  }
  if (!present(input.sshKnownHosts) || input.sshKnownHosts.trim().length === 0) {
    throw invalid(`${argument}.sshKnownHosts`, 'is required with an SSH key: host keys are checked strictly');
  }
  return { kind: 'ssh-key', privateKey: input.sshPrivateKey, knownHosts: input.sshKnownHosts };
}
