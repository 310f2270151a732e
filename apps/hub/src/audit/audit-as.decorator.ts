import { SetMetadata } from '@nestjs/common';

export const AUDIT_AS = 'flotilla:audit-as';

/** How one argument of a mutation is written to the audit log instead of its value. */
export type AuditArgumentMasks = Readonly<Record<string, (value: unknown) => unknown>>;

/**
 * Arguments the audit log must not hold as given, beyond what the generic redaction catches:
 * e.g. a webhook URL, whose path is itself the credential (Slack, Teams, Discord).
 */
export const AuditAs = (masks: AuditArgumentMasks): MethodDecorator => SetMetadata(AUDIT_AS, masks);
