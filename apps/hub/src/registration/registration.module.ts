import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { CertificateRevocations } from '../pki/certificate-revocations.js';
import { HubPki } from '../pki/hub-pki.service.js';
import { BootstrapTokenRepository } from './bootstrap-token.repository.js';
import { RegistrationGrpcServer } from './registration.grpc-server.js';
import { RegistrationResolver } from './registration.resolver.js';
import { RegistrationService } from './registration.service.js';

/** Agent registration: bootstrap tokens, the hub's CA, and the Register listener. */
@Module({
  imports: [ClustersModule],
  providers: [HubPki, CertificateRevocations, BootstrapTokenRepository, RegistrationService, RegistrationGrpcServer, RegistrationResolver],
  exports: [HubPki, CertificateRevocations, RegistrationGrpcServer],
})
export class RegistrationModule {}
