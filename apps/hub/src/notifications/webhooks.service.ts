import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EncryptionKeyring } from '@flotilla/crypto';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { EVENT_KINDS, isEventKind } from '../events/event.types.js';
import { NotificationException, NotificationExceptionCode } from './notification.exception.js';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import type { WebhookFormat } from './webhook-payload.util.js';
import { WebhookRepository, type WebhookRecord } from './webhook.repository.js';
import { webhookSecretContext } from './webhook-secret-context.util.js';

const MAX_WEBHOOKS = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (argument: string, message: string) => new NotificationException(NotificationExceptionCode.InvalidWebhook, `${argument}: ${message}`, { argument });

/** Adds, lists and deletes outgoing webhooks; every input is checked and the secret is stored encrypted. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly keyring: EncryptionKeyring,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  async add(input: { url: string; format: WebhookFormat; events: string[]; secret: string }, createdBy: string): Promise<WebhookRecord> {
    const url = this.checkUrl(input.url);
    const kinds = [...new Set(input.events)];
    if (kinds.length === 0 || kinds.length > EVENT_KINDS.length) throw invalid('events', `give 1 to ${EVENT_KINDS.length} event kinds`);
    const unknown = kinds.find((kind) => !isEventKind(kind));
    if (unknown !== undefined) throw invalid('events', `unknown event kind "${unknown.slice(0, 64)}"; expected any of ${EVENT_KINDS.join(', ')}`);
    if (input.secret.length < 16 || input.secret.length > 256) throw invalid('secret', 'must be 16 to 256 characters');
    if ((await this.webhooks.count()) >= MAX_WEBHOOKS) {
      throw new NotificationException(NotificationExceptionCode.TooManyWebhooks, `at most ${MAX_WEBHOOKS} webhooks may exist; delete one first`);
    }
    const id = randomUUID();
    const encryptedSecret = this.keyring.encrypt(Buffer.from(input.secret, 'utf8'), webhookSecretContext(id));
    const added = await this.webhooks.insert(id, { url, format: input.format, kinds, encryptedSecret, createdBy });
    this.dispatcher.webhooksChanged();
    return added;
  }

  list(): Promise<WebhookRecord[]> {
    return this.webhooks.list();
  }

  async delete(id: string): Promise<WebhookRecord> {
    if (!UUID.test(id)) throw invalid('id', 'expected a webhook id (UUID)');
    const deleted = await this.webhooks.delete(id);
    if (!deleted) throw new NotificationException(NotificationExceptionCode.WebhookNotFound, `no webhook with id ${id}`, { id });
    this.dispatcher.webhooksChanged();
    return deleted;
  }

  private checkUrl(raw: string): string {
    if (raw.length > 2048) throw invalid('url', 'must be at most 2048 characters');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid('url', 'is not a URL');
    }
    const httpAllowed = this.config.events.webhooks.allowInsecureHttp;
    if (url.protocol !== 'https:' && !(httpAllowed && url.protocol === 'http:')) {
      throw invalid('url', httpAllowed ? 'must be an http:// or https:// URL' : 'must be an https:// URL (plain http needs FLOTILLA_WEBHOOK_ALLOW_INSECURE_HTTP)');
    }
    if (url.username || url.password) throw invalid('url', 'must not hold credentials; the secret signs each delivery');
    return url.toString();
  }
}

/** The URL as shown back: scheme, host and first path segment; the rest (Slack puts its credential there) is hidden. */
export function displayUrl(raw: string): string {
  const url = new URL(raw);
  const [first, ...rest] = url.pathname.split('/').filter(Boolean);
  return `${url.origin}/${first ?? ''}${rest.length > 0 || url.search ? '/…' : ''}`;
}
