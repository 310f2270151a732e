import { Injectable, Logger } from '@nestjs/common';
import { AuditLogRepository, type AuditOutcome, type Principal } from '@flotilla/database';
import { redactSecrets } from './redact-secrets.util.js';

/** Records API actions in the append-only audit log, with secrets redacted from their arguments. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly log: AuditLogRepository) {}

  async record(principal: Principal, action: string, args: Record<string, unknown>, outcome: AuditOutcome, error?: string): Promise<void> {
    try {
      await this.log.append({
        actor: principal.name,
        actorTokenId: principal.tokenId,
        actorRole: principal.role,
        action,
        arguments: redactSecrets(args) as Record<string, unknown>,
        outcome,
        error: error?.slice(0, 2_000) ?? null,
      });
    } catch (failure) {
      // The action already happened; losing its record must be loud, never silent.
      this.logger.error(`could not write the audit record for ${action} by ${principal.name}: ${(failure as Error).message}`);
      throw failure;
    }
  }
}
