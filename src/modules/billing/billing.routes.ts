import express, { type Express } from 'express';
import type { StripeWebhookService } from './billing.webhook';

/**
 * Registers `POST /webhooks/stripe` with a raw body parser. Must be called before any JSON
 * body parser is mounted for this path: the signature is over the exact bytes Stripe sent.
 */
export function registerStripeWebhook(app: Express, webhooks: StripeWebhookService): void {
  app.post('/webhooks/stripe', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const sig = req.headers['stripe-signature'];
    const { status, body } = await webhooks.handle(req.body as Buffer | undefined, typeof sig === 'string' ? sig : undefined);
    res.status(status).json(body);
  });
}

