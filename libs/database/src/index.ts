export { API_ROLES, ApiTokenEntity, type ApiRole } from './api-token.entity.js';
export { ApiTokenRepository, type IssuedToken, type IssueTokenInput, type Principal } from './api-token.repository.js';
export { AuditLogRepository, type AuditChainHead, type AuditChainVerification, type AuditEntry } from './audit-log.repository.js';
export { AuditRecordEntity, type AuditOutcome } from './audit-record.entity.js';
export { appliedMigrations, dataSourceOptions, foundationEntities, migrateDown, migrateUp } from './data-source.options.js';
export { EmbeddedPostgresError, EmbeddedPostgresErrorCode } from './embedded-postgres.error.js';
export { EmbeddedPostgresServer, type EmbeddedPostgresOptions } from './embedded-postgres.server.js';
export { migrations } from './migrations/index.js';
export { pgArrayLiteral, type PgArrayElement } from './pg-array-literal.util.js';
