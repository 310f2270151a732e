import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenRepository, AuditLogRepository, dataSourceOptions, foundationEntities } from '@flotilla/database';
import { DataSource } from 'typeorm';
import { DatabaseReadiness } from './database.readiness.js';

/** The TypeORM connection (migrations already applied by bootstrap) and the shared repositories. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: DatabaseModule,
      // Features register their entities with TypeOrmModule.forFeature; autoLoadEntities adds them here.
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(url, foundationEntities), autoLoadEntities: true, retryAttempts: 3, retryDelay: 1_000 })],
      providers: [
        DatabaseReadiness,
        { provide: ApiTokenRepository, useFactory: (ds: DataSource) => new ApiTokenRepository(ds), inject: [DataSource] },
        { provide: AuditLogRepository, useFactory: (ds: DataSource) => new AuditLogRepository(ds), inject: [DataSource] },
      ],
      exports: [DatabaseReadiness, ApiTokenRepository, AuditLogRepository],
    };
  }
}
