import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module.js';
import { RegistrationModule } from '../registration/registration.module.js';
import { TargetStateModule } from '../target-state/target-state.module.js';
import { AgentGatewayServer } from './agent-gateway.server.js';
import { ConnectionRecorder } from './connection-recorder.js';
import { DesiredStateReader } from './desired-state.reader.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { StatusHistoryRetention } from './status-history-retention.service.js';
import { StatusHistoryRepository } from './status-history.repository.js';
import { StatusIngester } from './status-ingester.js';

/** The agents' stream: delivery of desired state, acks, statuses, heartbeats and connection state. */
@Module({
  imports: [ClustersModule, RegistrationModule, TargetStateModule],
  providers: [AgentGatewayServer, ConnectionRecorder, DesiredStateReader, GatewayMetrics, StatusIngester, StatusHistoryRepository, StatusHistoryRetention],
  exports: [AgentGatewayServer, StatusIngester],
})
export class AgentGatewayModule {}
