import { createPublicKey, X509Certificate } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { clusterUidOf, createCsrForKey, createKeyAndCsr } from '@flotilla/pki';
import { PROTOCOL_VERSION, RegistrationServiceClient, type RegisterResponse } from '@flotilla/protocol';
import { AgentStoppedError, RegistrationRefusedError } from './agent-connection.error.js';
import type { AgentLogger } from './agent-logger.js';
import type { AgentIdentity, AgentStateStore } from './agent-state.store.js';
import { Backoff, type BackoffOptions } from './backoff.util.js';

/** The subject an agent puts in its CSRs; the hub ignores it and names the cluster itself. */
export const AGENT_CSR_SUBJECT = 'CN=flotilla-agent';

const REFUSALS = new Set([grpc.status.UNAUTHENTICATED, grpc.status.INVALID_ARGUMENT, grpc.status.FAILED_PRECONDITION, grpc.status.PERMISSION_DENIED]);
const REGISTER_DEADLINE_MS = 30_000;

/** What registering needs; `signal` aborts the retry loop (the promise then rejects with AgentStoppedError). */
export interface RegistrationOptions {
  readonly registrationAddress: string;
  readonly bootstrapToken?: string;
  readonly hubCaPem: string;
  readonly tlsServerName?: string;
  readonly agentVersion: string;
  readonly store: AgentStateStore;
  readonly backoff?: Partial<BackoffOptions>;
  readonly logger: AgentLogger;
  readonly signal: AbortSignal;
}

/**
 * The agent's identity: the stored one, or a new one from the hub. The key is persisted before
 * Register is called, so an agent that crashes before saving the certificate retries with the same
 * key (which the hub accepts again for the same token); the identity is persisted before this
 * resolves. Transient failures are retried with backoff; a refusal is a RegistrationRefusedError.
 */
export async function ensureIdentity(options: RegistrationOptions): Promise<{ identity: AgentIdentity; registered: boolean }> {
  const stored = await options.store.loadIdentity();
  if (stored) return { identity: stored, registered: false };
  if (!options.bootstrapToken) throw new RegistrationRefusedError('NO_TOKEN', 'the agent holds no certificate and was given no bootstrap token');
  let privateKeyPem = await options.store.loadPrivateKey();
  let csrPem: string;
  if (privateKeyPem) {
    csrPem = await createCsrForKey(AGENT_CSR_SUBJECT, privateKeyPem);
  } else {
    ({ privateKeyPem, csrPem } = await createKeyAndCsr(AGENT_CSR_SUBJECT));
    await options.store.savePrivateKey(privateKeyPem);
  }
  const client = new RegistrationServiceClient(options.registrationAddress, grpc.credentials.createSsl(Buffer.from(options.hubCaPem)), {
    'grpc.use_local_subchannel_pool': 1,
    ...(options.tlsServerName ? { 'grpc.ssl_target_name_override': options.tlsServerName, 'grpc.default_authority': options.tlsServerName } : {}),
  });
  const backoff = new Backoff(options.backoff);
  try {
    for (;;) {
      if (options.signal.aborted) throw new AgentStoppedError();
      try {
        const response = await register(client, { bootstrapToken: options.bootstrapToken, csrPem, protocolVersion: PROTOCOL_VERSION, agentVersion: options.agentVersion }, options.signal);
        const identity = checkResponse(response, privateKeyPem);
        await options.store.saveIdentity(identity);
        options.logger.log(`registered as cluster ${identity.clusterUid}`);
        return { identity, registered: true };
      } catch (error) {
        if (options.signal.aborted) throw new AgentStoppedError();
        if (error instanceof RegistrationRefusedError) throw error;
        const status = (error as Partial<grpc.ServiceError>).code;
        if (status !== undefined && REFUSALS.has(status)) throw new RegistrationRefusedError(grpc.status[status], (error as grpc.ServiceError).details);
        if (typeof status !== 'number') throw error;
        const delay = backoff.next();
        options.logger.warn(`registration at ${options.registrationAddress} failed (${grpc.status[status]}: ${(error as grpc.ServiceError).details}); retrying in ${delay} ms`);
        await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
      }
    }
  } finally {
    client.close();
  }
}

function register(client: InstanceType<typeof RegistrationServiceClient>, request: Parameters<InstanceType<typeof RegistrationServiceClient>['register']>[0], signal: AbortSignal): Promise<RegisterResponse> {
  return new Promise((resolve, reject) => {
    const call = client.register(request, new grpc.Metadata(), { deadline: Date.now() + REGISTER_DEADLINE_MS }, (error, response) => {
      signal.removeEventListener('abort', cancel);
      if (error) reject(error);
      else resolve(response);
    });
    const cancel = (): void => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
  });
}

/** A response is used only when it certifies our own key and names a cluster. */
function checkResponse(response: RegisterResponse, privateKeyPem: string): AgentIdentity {
  const certificate = new X509Certificate(response.certificatePem);
  const ours = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' });
  if (!certificate.publicKey.export({ type: 'spki', format: 'der' }).equals(ours)) {
    throw new RegistrationRefusedError('BAD_RESPONSE', 'the hub returned a certificate for another key');
  }
  const uid = clusterUidOf(response.certificatePem);
  if (!uid || uid !== response.clusterUid) throw new RegistrationRefusedError('BAD_RESPONSE', `the certificate names cluster ${uid ?? '(none)'}, the response ${response.clusterUid}`);
  return { privateKeyPem, certificatePem: response.certificatePem, caCertificatePem: response.caCertificatePem, clusterUid: response.clusterUid };
}
