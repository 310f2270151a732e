/** How a hub authenticates to a repository. Values are secrets: never log, print or put them in argv. */
export type GitCredentials =
  | {
      readonly kind: 'https-token';
      /** Sent as the HTTP basic-auth user; most forges accept any non-empty name with a token. */
      readonly username?: string;
      readonly token: string;
    }
  | {
      readonly kind: 'ssh-key';
      /** An OpenSSH private key without a passphrase. */
      readonly privateKey: string;
      /** known_hosts lines for the repository's host; the host key is checked strictly. */
      readonly knownHosts: string;
    };

/** The secret strings of a credential, to scrub from any text that leaves the library. */
export function secretsOf(credentials: GitCredentials | undefined): string[] {
  if (!credentials) return [];
  const values = credentials.kind === 'https-token' ? [credentials.token] : [credentials.privateKey];
  return values.filter((value) => value.length >= 4);
}

/** Replaces every occurrence of a secret in `text`; the last line of defence, not the first. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
  return out;
}
