import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Stripe events an operator is told to send (docs/billing.md: the `stripe listen --events`
 * list, which the production setup refers to) are exactly the events the webhook route applies
 * (the `case` labels of billing.webhook.ts). An event missing from the docs is one a deployment
 * never receives: auto top-up without `payment_intent.succeeded` would charge cards and never credit.
 */
const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('Stripe webhook events in the docs', () => {
  it('lists every event type the webhook route applies, and no other', () => {
    const handled = [...read('src/modules/billing/billing.webhook.ts').matchAll(/case '([a-z_.]+)':/g)].map((match) => match[1]).sort();
    const listed = /--events ([a-z_.,]+)/.exec(read('docs/billing.md'))?.[1].split(',').sort();
    expect(handled.length).toBeGreaterThanOrEqual(10);
    expect(listed).toEqual(handled);
  });

  it('names each of them in the production setup', () => {
    const billing = read('docs/billing.md');
    const production = billing.slice(billing.indexOf('In production, create a webhook endpoint'), billing.indexOf('## How events are applied'));
    for (const event of /--events ([a-z_.,]+)/.exec(billing)![1].split(',')) expect(production).toContain(`\`${event}\``);
  });
});
