import { CodedFlotillaException } from '../common/flotilla.exception.js';

export enum NotificationExceptionCode {
  WebhookNotFound = 'WEBHOOK_NOT_FOUND',
  InvalidWebhook = 'WEBHOOK_INVALID',
  TooManyWebhooks = 'TOO_MANY_WEBHOOKS',
}

const GRAPHQL_CODES = {
  [NotificationExceptionCode.WebhookNotFound]: 'NOT_FOUND',
  [NotificationExceptionCode.InvalidWebhook]: 'BAD_USER_INPUT',
  [NotificationExceptionCode.TooManyWebhooks]: 'FAILED_PRECONDITION',
} as const;

/** A webhook request that cannot be carried out; the message names the webhook or argument and the problem. */
export class NotificationException extends CodedFlotillaException<NotificationExceptionCode> {
  constructor(code: NotificationExceptionCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, GRAPHQL_CODES, { reason: code, ...details });
  }
}
