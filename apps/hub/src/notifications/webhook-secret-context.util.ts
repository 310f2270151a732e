/** The context a webhook's secret is sealed with: a ciphertext moved to another webhook does not open. */
export const webhookSecretContext = (id: string): string => `webhook-secret:${id}`;
