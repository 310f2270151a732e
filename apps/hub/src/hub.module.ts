import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { EncryptionKeyring } from '@flotilla/crypto';
import { FLOTILLA_VERSION, ObservabilityModule } from '@flotilla/observability';
import { DataSource } from 'typeorm';
import { AgentGatewayModule } from './agent-gateway/agent-gateway.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ClustersModule } from './clusters/clusters.module.js';

import { HUB_CONFIG } from './config/hub-config.token.js';
import type { HubConfig } from './config/hub-config.js';
import { DatabaseModule } from './database/database.module.js';
import { DatabaseReadiness } from './database/database.readiness.js';
import { EventsModule } from './events/events.module.js';
import { formatGraphqlError } from './graphql/format-graphql-error.js';
import { graphqlContext, graphqlWsOptions } from './graphql/graphql-ws.options.js';
import { queryLimitsRule } from './graphql/query-limits.rule.js';
import { FleetModule } from './fleet/fleet.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { RegistrationModule } from './registration/registration.module.js';
import { RolloutsModule } from './rollouts/rollouts.module.js';
import { SourcesModule } from './sources/sources.module.js';
import { SubscriptionAuth } from './subscriptions/subscription-auth.service.js';
import { SubscriptionsModule } from './subscriptions/subscriptions.module.js';
import { TargetStateModule } from './target-state/target-state.module.js';
import { SystemResolver } from './system/system.resolver.js';

/** What bootstrap resolved before Nest starts: the validated config, the database URL, the key. */
export interface HubRuntime {
  readonly config: HubConfig;
  readonly databaseUrl: string;
  readonly keyring: EncryptionKeyring;
}

@Module({})
export class HubModule {
  static forRoot(runtime: HubRuntime): DynamicModule {
    return {
      module: HubModule,
      imports: [
        DatabaseModule.forRoot(runtime.databaseUrl),
        ObservabilityModule.forRoot({ component: 'hub', version: FLOTILLA_VERSION, readinessChecks: [DatabaseReadiness] }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [SubscriptionsModule],
          inject: [DataSource, SubscriptionAuth],
          useFactory: (dataSource: DataSource, subscriptionAuth: SubscriptionAuth) => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: true,
            playground: false,
            introspection: runtime.config.graphqlIntrospection,
            context: graphqlContext(dataSource),
            subscriptions: graphqlWsOptions(subscriptionAuth, runtime.config.events.maxSubscriptionsPerSocket),
            formatError: formatGraphqlError,
            validationRules: [queryLimitsRule()],
          }),
        }),
        AuditModule,
        AuthModule,
        SourcesModule,
        ClustersModule,
        TargetStateModule,
        RegistrationModule,
        AgentGatewayModule,
        RolloutsModule,
        FleetModule,
        EventsModule,
        SubscriptionsModule,
        NotificationsModule,
      ],
      providers: [
        { provide: HUB_CONFIG, useValue: runtime.config },
        { provide: EncryptionKeyring, useValue: runtime.keyring },
        SystemResolver,
      ],
      exports: [HUB_CONFIG, EncryptionKeyring],
      global: true,
    };
  }
}
