import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import {
  grpcChannelOptions,
  OLDEST_SUPPORTED_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  RegistrationServiceService,
  type RegisterRequest,
  type RegisterResponse,
  type RegistrationServiceServer,
} from '@flotilla/protocol';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { AdmissionGate, AdmissionGateFullError } from '../agent-gateway/admission-gate.js';
import { HubPki } from '../pki/hub-pki.service.js';
import { RegistrationRefused, RegistrationService } from './registration.service.js';

const MAX_REGISTER_BYTES = 64 * 1024;
/**
 * A registration storm (a fleet installed at once) queues here: each Register verifies a CSR,
 * signs a certificate and runs a transaction, so at most this many run at once and the agent
 * stream's clients are not starved; beyond the queue limit the agent is told to retry later.
 */
const REGISTER_ACTIVE = 8;
const REGISTER_WAITING = 10_000;

/**
 * The registration listener: server-authenticated TLS, no client certificate (the agent has none
 * yet). Kept apart from the agent stream because grpc-js decides client-certificate checks per server.
 */
@Injectable()
export class RegistrationGrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RegistrationGrpcServer.name);
  private server?: grpc.Server;
  private boundPort = 0;
  private readonly admission = new AdmissionGate(REGISTER_ACTIVE, REGISTER_WAITING);

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly pki: HubPki,
    private readonly registration: RegistrationService,
  ) {}

  /** The port actually bound (useful when configured as 0). */
  get port(): number {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const tls = await this.pki.serverTls();
    const server = new grpc.Server({ ...grpcChannelOptions('hub'), 'grpc.max_receive_message_length': MAX_REGISTER_BYTES });
    const implementation: RegistrationServiceServer = { register: (call, callback) => void this.handle(call, callback) };
    server.addService(RegistrationServiceService, implementation);
    const credentials = grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(tls.privateKeyPem), cert_chain: Buffer.from(tls.certificatePem) }], false);
    const address = `${this.config.bindAddress.includes(':') ? `[${this.config.bindAddress}]` : this.config.bindAddress}:${this.config.agents.registrationPort}`;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, credentials, (error, port) =>
        error ? reject(new Error(`FLOTILLA_REGISTRATION_PORT: cannot listen on ${address}: ${error.message}`)) : resolve(port),
      ),
    );
    this.server = server;
    this.logger.log(`agent registration listening on ${this.config.bindAddress}:${this.boundPort}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async handle(call: grpc.ServerUnaryCall<RegisterRequest, RegisterResponse>, callback: grpc.sendUnaryData<RegisterResponse>): Promise<void> {
    const request = call.request;
    const peer = call.getPeer();
    if (request.protocolVersion < OLDEST_SUPPORTED_PROTOCOL_VERSION || request.protocolVersion > PROTOCOL_VERSION) {
      callback({ code: grpc.status.FAILED_PRECONDITION, details: `protocol version ${request.protocolVersion} is not supported (this hub speaks ${OLDEST_SUPPORTED_PROTOCOL_VERSION}-${PROTOCOL_VERSION})` });
      return;
    }
    try {
      const registered = await this.admission.run(() => this.registration.register(request.bootstrapToken, request.csrPem, peer));
      callback(null, {
        clusterUid: registered.clusterUid,
        certificatePem: registered.certificatePem,
        caCertificatePem: registered.caPem,
        notAfterUnixMs: BigInt(registered.notAfter.getTime()),
      });
    } catch (error) {
      if (error instanceof AdmissionGateFullError) {
        callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: `the hub is busy registering other agents (${error.message}); retry later` });
      } else if (error instanceof RegistrationRefused) {
        callback({ code: error.kind === 'token' ? grpc.status.UNAUTHENTICATED : grpc.status.INVALID_ARGUMENT, details: error.message });
      } else {
        this.logger.error(`registration from ${peer} failed: ${(error as Error).stack ?? String(error)}`);
        callback({ code: grpc.status.INTERNAL, details: 'internal error: see the hub log' });
      }
    }
  }
}
