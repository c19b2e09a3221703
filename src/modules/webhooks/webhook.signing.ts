import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A Standard Webhooks secret: "whsec_" and 32 random bytes in base64 (the specification allows 24 to 64). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The three Standard Webhooks headers for one attempt. `webhook-id` is the event id, the same on
 * every retry and replay, so receivers deduplicate by it; the timestamp is the attempt's own (the
 * specification's receivers refuse ones older than five minutes). While a rotated-out secret is
 * still in its grace period, each secret signs and `webhook-signature` carries both signatures
 * separated by a space, so receivers verify with either.
 */
export function signedHeaders(secrets: readonly string[], eventId: string, at: Date, body: string): Record<string, string> {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(eventId, at, body));
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
