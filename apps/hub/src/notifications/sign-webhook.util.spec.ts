import { createHmac } from 'node:crypto';
import { signWebhook } from './sign-webhook.util.js';

describe('signWebhook', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", so neither can be swapped', () => {
    const body = '{"kind":"drift.detected"}';
    const expected = createHmac('sha256', 'a-long-shared-secret').update(`1700000000.${body}`).digest('hex');
    expect(signWebhook('a-long-shared-secret', 1700000000, body)).toBe(`sha256=${expected}`);
    expect(signWebhook('a-long-shared-secret', 1700000001, body)).not.toBe(`sha256=${expected}`);
    expect(signWebhook('another-secret-entirely', 1700000000, body)).not.toBe(`sha256=${expected}`);
  });
});
