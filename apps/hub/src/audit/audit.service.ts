import { writeFile, rename } from 'node:fs/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AuditLogRepository, type AuditChainHead, type AuditOutcome, type Principal } from '@flotilla/database';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { redactSecrets } from './redact-secrets.util.js';

const HEAD_EXPORT_MS = 60_000;

/**
 * Records API actions in the append-only, hash-chained audit log, with secrets redacted from
 * their arguments. The chain's head is written outside the database (the log, and
 * FLOTILLA_AUDIT_HEAD_FILE when set) every minute it moved, so a rewrite of the whole table shows.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private head: AuditChainHead | null = null;
  private exported: string | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly log: AuditLogRepository,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.exportHead(), HEAD_EXPORT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.exportHead();
  }

  async record(principal: Principal, action: string, args: Record<string, unknown>, outcome: AuditOutcome, error?: string): Promise<void> {
    try {
      this.head = await this.log.append({
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

  /** Writes the head when it moved since the last export. */
  async exportHead(): Promise<void> {
    const head = this.head;
    if (!head || head.hash === this.exported) return;
    this.exported = head.hash;
    this.logger.log(`audit chain head: record ${head.id} hash ${head.hash}`);
    if (this.config.auditHeadFile) {
      const temporary = `${this.config.auditHeadFile}.tmp`;
      await writeFile(temporary, `${JSON.stringify(head)}\n`, { mode: 0o600 });
      await rename(temporary, this.config.auditHeadFile);
    }
  }
}
