import { z } from 'zod';
import { parseCredits } from '../../shared/money';
import type { Services } from '../../services';
import { ApiKeyScope } from '../auth/api-key.entity';
import type { Principal } from '../auth/auth.service';
import { MAX_HOLD_SECONDS } from '../ledger/ledger.input';
import { UsagePeriod } from '../usage/usage.service';
import { holdJson, priceBookJson, quoteJson, transactionJson, usageSummaryJson, walletJson } from './mcp.views';

/**
 * The tools an AI agent gets over MCP: each one checks its arguments against its schema, needs
 * one of its API-key scopes, and calls the same service method as the GraphQL resolver of the
 * same name (no rule of its own). Arguments and answers use the GraphQL names; credits are exact
 * decimal strings.
 */

/** Who calls, and the services to call. */
export interface ToolContext {
  services: Services;
  principal: Principal;
}

/** MCP's behaviour hints for clients (the specification's ToolAnnotations). */
interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** The caller's API key needs one of these; empty: any key may call it. */
  scopes: readonly ApiKeyScope[];
  annotations: ToolHints;
  input: Input;
  run(context: ToolContext, args: z.output<Input>): Promise<Record<string, unknown>> | Record<string, unknown>;
}

const tool = <Input extends z.ZodObject>(definition: ToolDefinition<Input>): ToolDefinition => definition as unknown as ToolDefinition;

const creditsText = (what: string) => z.string().max(40).describe(`${what}: an exact decimal string with at most 6 fractional digits, e.g. "0.0213" (never a number).`);
const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .describe('Applied at most once per account, forever: a retry with the same key and arguments returns the original answer and charges nothing again; other arguments are IDEMPOTENCY_CONFLICT. Use one key per job (e.g. the render id).');
const optionalKey = idempotencyKey.optional().describe('Optional; makes a retry after a lost answer safe: the same key with the same arguments returns the original answer instead of HOLD_NOT_PENDING.');
const holdIdText = z.string().min(1).max(100);
/**
 * The hold a capture or release settles: `id`, as GraphQL's captureHold(id) and releaseHold(id),
 * or `holdId`, the name these tools took first and still accept. One of them is required.
 */
const holdArgs = {
  id: holdIdText.optional().describe('The hold id reserve_credits returned (as GraphQL captureHold(id) / releaseHold(id)). Required, unless given as holdId.'),
  holdId: holdIdText.optional().describe('Alias of id, still accepted; send one of the two.'),
};
type HoldArgs = { id?: string; holdId?: string };
const requireHold = (args: HoldArgs, ctx: z.core.$RefinementCtx<HoldArgs>) => {
  if (args.id === undefined && args.holdId === undefined) ctx.addIssue({ code: 'custom', path: ['id'], message: 'required: the hold id reserve_credits returned (holdId is accepted as an alias)' });
  else if (args.id !== undefined && args.holdId !== undefined && args.id !== args.holdId) ctx.addIssue({ code: 'custom', path: ['holdId'], message: 'names another hold than id: send id only' });
};
const holdOf = (args: HoldArgs): string => (args.id ?? args.holdId)!;
/** JSON's 1e400 parses to Infinity: said as out of range rather than "expected number, received Infinity". */
const finiteNumber = z.number({ error: (issue) => (typeof issue.input === 'number' && !Number.isFinite(issue.input) ? 'out of range: not a finite number' : undefined) });
const quantity = finiteNumber.describe('Seconds of output for PER_SECOND features, a whole number of operations for FIXED (default 1); for PASS_THROUGH recorded but not priced.');

/** What was (or will be) used, as GraphQL's UsageInput. */
const usage = {
  feature: z.string().min(1).max(100).describe('A feature of the price book (see price_book), e.g. "talking_head" or "caption".'),
  quantity: quantity.optional(),
  providerCost: creditsText("The provider's actual cost in credits, required for PASS_THROUGH features").optional(),
  provider: z.string().max(200).optional().describe("The AI provider; must be the feature's own where the price book names one."),
  synfluencerId: z.string().max(100).optional().describe("One of the account's synfluencers, for usage reports."),
  platform: z.string().max(200).optional().describe('Free text for reports, e.g. "tiktok".'),
  automationId: z.string().max(200).optional().describe('Your automation or workflow id, for reports.'),
  metadata: z.record(z.string(), z.unknown()).optional().describe('A JSON object kept on the transaction (at most 4 KiB serialized); not interpreted.'),
};

type UsageArgs = { providerCost?: string } & Record<string, unknown>;
/** Usage arguments as the services take them: the provider cost in micro-credits. */
const usageInput = <Args extends UsageArgs>(args: Args) => ({ ...args, providerCost: args.providerCost === undefined ? null : parseCredits(args.providerCost) });

const READ = { readOnlyHint: true, openWorldHint: false } as const;
const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

export const TOOLS: readonly ToolDefinition[] = [
  tool({
    name: 'get_balance',
    title: 'Wallet balance',
    description: "The account's wallet: balance (spendable now), held (reserved by pending holds), spend this month and in total, the monthly budget cap, status (ACTIVE, PAUSED at zero, CAPPED at the cap) and version.",
    // Like GraphQL `me { wallet }`: a key that charges may see what it can still spend.
    scopes: [ApiKeyScope.USAGE_WRITE, ApiKeyScope.WALLET_READ],
    annotations: READ,
    input: z.object({}).strict(),
    run: async ({ services, principal }) => walletJson(await services.ledger.wallet(principal.accountId)),
  }),
  tool({
    name: 'price_book',
    title: 'Price book',
    description: 'Every feature that can be charged, with its pricing model (FIXED per operation, PER_SECOND of output, PASS_THROUGH of the provider cost), unit, rate and provider.',
    scopes: [],
    annotations: READ,
    input: z.object({}).strict(),
    run: ({ services }) => priceBookJson(services.pricing.priceBookView()),
  }),
  tool({
    name: 'quote',
    title: 'Quote a usage',
    description: 'What charging this usage would cost, without charging. The same pricing and the same errors as charge_usage; usage that prices to 0 credits is BAD_USER_INPUT.',
    scopes: [ApiKeyScope.USAGE_WRITE, ApiKeyScope.WALLET_READ],
    annotations: READ,
    input: z.object(usage).strict(),
    run: ({ services }, args) => quoteJson(services.pricing.quoteView(usageInput(args))),
  }),
  tool({
    name: 'charge_usage',
    title: 'Charge usage',
    description:
      'Charges a usage at the price book rate, atomically: the whole amount is debited and one USAGE transaction written, or nothing changes (INSUFFICIENT_CREDITS, BUDGET_CAP_EXCEEDED). The idempotency key makes retries safe. Returns the transaction and the wallet after it.',
    scopes: [ApiKeyScope.USAGE_WRITE],
    annotations: WRITE,
    input: z.object({ ...usage, idempotencyKey }).strict(),
    run: async ({ services, principal }, args) => {
      const charge = await services.ledger.charge(principal.accountId, usageInput(args));
      return { transaction: transactionJson(charge.transaction), wallet: walletJson(charge.wallet) };
    },
  }),
  tool({
    name: 'reserve_credits',
    title: 'Reserve credits',
    description:
      'Holds the quoted amount of a usage whose real size is known only at its end (e.g. video seconds): it moves from balance to held until capture_hold, release_hold or expiry. Start the job only after this succeeds. Returns the hold.',
    scopes: [ApiKeyScope.USAGE_WRITE],
    annotations: WRITE,
    input: z
      .object({
        ...usage,
        idempotencyKey,
        expiresInSeconds: z.number().int().min(1).max(MAX_HOLD_SECONDS).optional().describe(`Seconds until the hold expires and returns its credits: default 900, at most ${MAX_HOLD_SECONDS}.`),
      })
      .strict(),
    run: async ({ services, principal }, args) => holdJson(await services.ledger.reserve(principal.accountId, usageInput(args))),
  }),
  tool({
    name: 'capture_hold',
    title: 'Capture a hold',
    description:
      'Charges the actual usage of a pending hold and returns the rest to the balance (more than held draws the difference; nothing reported charges the estimate; a usage that prices to 0 returns everything). Returns the CAPTURE transaction, the wallet and the hold. HOLD_NOT_PENDING once it was captured, released or expired.',
    scopes: [ApiKeyScope.USAGE_WRITE],
    annotations: WRITE,
    input: z
      .object({
        ...holdArgs,
        quantity: quantity.optional().describe("The actual quantity, in the hold feature's units; default: the reserved quantity."),
        providerCost: creditsText("The provider's actual cost, required to capture a PASS_THROUGH hold").optional(),
        idempotencyKey: optionalKey,
      })
      .strict()
      .superRefine(requireHold),
    run: async ({ services, principal }, args) => {
      const input = usageInput(args);
      const charge = await services.ledger.capture(principal.accountId, holdOf(args), input);
      const hold = await services.ledger.hold(principal.accountId, holdOf(args));
      return { transaction: transactionJson(charge.transaction), wallet: walletJson(charge.wallet), hold: holdJson(hold) };
    },
  }),
  tool({
    name: 'release_hold',
    title: 'Release a hold',
    description: 'Returns everything a pending hold holds to the balance (the job did not run). Returns the hold, status RELEASED. HOLD_NOT_PENDING once it was captured, released or expired.',
    scopes: [ApiKeyScope.USAGE_WRITE],
    annotations: WRITE,
    input: z
      .object({ ...holdArgs, idempotencyKey: optionalKey })
      .strict()
      .superRefine(requireHold),
    run: async ({ services, principal }, args) => holdJson(await services.ledger.release(principal.accountId, holdOf(args), args.idempotencyKey)),
  }),
  tool({
    name: 'usage_summary',
    title: 'Usage summary',
    description:
      "Spend by day, ISO week or month in the account's timezone, with totals by feature, platform, automation and synfluencer. Default range: the last 30 days, 12 weeks or 12 months.",
    scopes: [ApiKeyScope.WALLET_READ],
    annotations: READ,
    input: z
      .object({
        period: z.enum([UsagePeriod.DAY, UsagePeriod.WEEK, UsagePeriod.MONTH]).describe('Bucket length: DAY, WEEK or MONTH.'),
        synfluencerId: z.string().max(100).optional().describe("Only this synfluencer's usage; default: all."),
        from: z.iso.datetime({ offset: true }).optional().describe('Start of the range (inclusive), ISO-8601 with offset.'),
        to: z.iso.datetime({ offset: true }).optional().describe('End of the range (exclusive), ISO-8601 with offset.'),
      })
      .strict(),
    run: async ({ services, principal }, args) =>
      usageSummaryJson(
        await services.usage.summary(principal.accountId, args.period, {
          synfluencerId: args.synfluencerId ?? null,
          from: args.from === undefined ? null : new Date(args.from),
          to: args.to === undefined ? null : new Date(args.to),
        }),
      ),
  }),
];
