/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An exact amount of credits as a decimal string with at most 6 fractional digits, e.g. "12.5". Stored as integer micro-credits. */
  Credits: { input: string; output: string; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf). */
  JSON: { input: Record<string, unknown>; output: Record<string, unknown>; }
};

export type Account = {
  __typename?: 'Account';
  createdAt: Scalars['DateTime']['output'];
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  role: Role;
  settings: AccountSettings;
  synfluencers: Array<Synfluencer>;
  /** IANA time zone; months and usage buckets are counted in it. */
  timezone: Scalars['String']['output'];
  wallet: Wallet;
};


export type AccountSynfluencersArgs = {
  includeArchived?: InputMaybe<Scalars['Boolean']['input']>;
};

export type AccountSettings = {
  __typename?: 'AccountSettings';
  /** Month-to-date spend that raises a BURN_ALERT; null = off. */
  burnAlertThreshold?: Maybe<Scalars['Credits']['output']>;
  lowCreditEmails: Scalars['Boolean']['output'];
  /** Spend in a calendar month (account timezone) never exceeds this; null = no cap. */
  monthlyBudgetCap?: Maybe<Scalars['Credits']['output']>;
};

export type ApiKey = {
  __typename?: 'ApiKey';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  /** The first characters of the secret, to tell keys apart. */
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  scopes: Array<ApiKeyScope>;
};

export type ApiKeyScope =
  /** Charge, quote and hold credits on the key owner's wallet. */
  | 'USAGE_WRITE'
  /** Read the wallet, its history and usage, and subscribe to balance changes. */
  | 'WALLET_READ';

export type AuthPayload = {
  __typename?: 'AuthPayload';
  accessToken: Scalars['String']['output'];
  account: Account;
  /** When the access token expires. */
  expiresAt: Scalars['DateTime']['output'];
  refreshToken: Scalars['String']['output'];
};

export type BillingPortalSession = {
  __typename?: 'BillingPortalSession';
  url: Scalars['String']['output'];
};

export type BillingSettings = {
  __typename?: 'BillingSettings';
  /** Whether the Stripe billing portal can be opened now. */
  portalAvailable: Scalars['Boolean']['output'];
  /** Whether an admin enabled self-service billing (purchases, plans, portal). */
  selfServiceEnabled: Scalars['Boolean']['output'];
  /** Whether this server has a Stripe key (beyond the contract). */
  stripeConfigured: Scalars['Boolean']['output'];
  /** Whether credit packs can be bought now (enabled, Stripe configured, packs on offer). */
  topUpAvailable: Scalars['Boolean']['output'];
};

export type BucketDraw = {
  __typename?: 'BucketDraw';
  amount: Scalars['Credits']['output'];
  bucketId: Scalars['ID']['output'];
};

export type Charge = {
  __typename?: 'Charge';
  transaction: Transaction;
  wallet: Wallet;
};

export type ChargeUsageInput = {
  /** Admins only: the account to charge. */
  accountId?: InputMaybe<Scalars['ID']['input']>;
  automationId?: InputMaybe<Scalars['String']['input']>;
  feature: Scalars['String']['input'];
  /** Applied at most once per account, forever. */
  idempotencyKey: Scalars['String']['input'];
  metadata?: InputMaybe<Scalars['JSON']['input']>;
  platform?: InputMaybe<Scalars['String']['input']>;
  provider?: InputMaybe<Scalars['String']['input']>;
  /** The provider's actual cost, required for PASS_THROUGH. */
  providerCost?: InputMaybe<Scalars['Credits']['input']>;
  /** Seconds for PER_SECOND, operations for FIXED (default 1). */
  quantity?: InputMaybe<Scalars['Float']['input']>;
  synfluencerId?: InputMaybe<Scalars['ID']['input']>;
};

export type CheckoutSession = {
  __typename?: 'CheckoutSession';
  id: Scalars['ID']['output'];
  /** Stripe Checkout page to send the customer to. */
  url: Scalars['String']['output'];
};

export type CreateSynfluencerInput = {
  handle: Scalars['String']['input'];
  name: Scalars['String']['input'];
  platforms?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type CreatedApiKey = {
  __typename?: 'CreatedApiKey';
  apiKey: ApiKey;
  /** The secret, shown only this once. Send it as Authorization: Bearer <secret>. */
  secret: Scalars['String']['output'];
};

export type CreditBucket = {
  __typename?: 'CreditBucket';
  createdAt: Scalars['DateTime']['output'];
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  granted: Scalars['Credits']['output'];
  id: Scalars['ID']['output'];
  remaining: Scalars['Credits']['output'];
  source: CreditSource;
};

export type CreditPack = {
  __typename?: 'CreditPack';
  credits: Scalars['Credits']['output'];
  currency: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Decimal price in `currency`, e.g. "9.00". */
  price: Scalars['String']['output'];
};

export type CreditSource =
  | 'ADMIN_GRANT'
  | 'PLAN_ALLOCATION'
  | 'PURCHASE'
  | 'SIGNUP_BONUS';

export type FeaturePrice = {
  __typename?: 'FeaturePrice';
  feature: Scalars['String']['output'];
  label: Scalars['String']['output'];
  model: PricingModel;
  provider?: Maybe<Scalars['String']['output']>;
  rate?: Maybe<Scalars['Credits']['output']>;
  unit: Scalars['String']['output'];
};

export type Hold = {
  __typename?: 'Hold';
  amount: Scalars['Credits']['output'];
  captured?: Maybe<Scalars['Credits']['output']>;
  createdAt: Scalars['DateTime']['output'];
  expiresAt: Scalars['DateTime']['output'];
  feature: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  status: HoldStatus;
  synfluencer?: Maybe<Synfluencer>;
};

export type HoldStatus =
  | 'CAPTURED'
  | 'EXPIRED'
  | 'PENDING'
  | 'RELEASED';

export type InvariantViolationType = {
  __typename?: 'InvariantViolationType';
  accountId: Scalars['ID']['output'];
  invariant: Scalars['Int']['output'];
  message: Scalars['String']['output'];
  walletId: Scalars['ID']['output'];
};

export type LedgerCheck = {
  __typename?: 'LedgerCheck';
  ok: Scalars['Boolean']['output'];
  violations: Array<InvariantViolationType>;
  walletsChecked: Scalars['Int']['output'];
};

export type LowCreditAlert = {
  __typename?: 'LowCreditAlert';
  balance: Scalars['Credits']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The balance after the most recent top-up, allocation or grant. */
  reference: Scalars['Credits']['output'];
  /** Percent of the reference the balance fell to: 25, 10 or 0. */
  threshold: Scalars['Int']['output'];
};

export type Message = {
  __typename?: 'Message';
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Structured details, e.g. { threshold, balance, reference } for LOW_CREDITS. */
  data?: Maybe<Scalars['JSON']['output']>;
  id: Scalars['ID']['output'];
  kind: MessageKind;
  read: Scalars['Boolean']['output'];
  title: Scalars['String']['output'];
};

export type MessageConnection = {
  __typename?: 'MessageConnection';
  edges: Array<MessageEdge>;
  pageInfo: PageInfo;
};

export type MessageEdge = {
  __typename?: 'MessageEdge';
  cursor: Scalars['String']['output'];
  node: Message;
};

export type MessageKind =
  | 'BUDGET_CAP_REACHED'
  | 'BURN_ALERT'
  | 'CREDITS_DEPLETED'
  | 'LOW_CREDITS'
  | 'PLAN_RENEWED'
  | 'PURCHASE_COMPLETED'
  | 'REFUND_COMPLETED';

export type Mutation = {
  __typename?: 'Mutation';
  archiveSynfluencer: Synfluencer;
  /** A Stripe billing portal session for the account's customer. */
  billingPortal: BillingPortalSession;
  /** Charges the actual usage and returns the rest of the hold to the balance. */
  captureHold: Charge;
  changePassword: Scalars['Boolean']['output'];
  /** Atomic and idempotent: the whole amount is debited and one USAGE transaction written, or nothing changes. */
  chargeUsage: Charge;
  /** The secret is shown only in this response. */
  createApiKey: CreatedApiKey;
  createSynfluencer: Synfluencer;
  /** Admins: grant credits to an account (an ADMIN_GRANT bucket that never expires). */
  grantCredits: Transaction;
  logIn: AuthPayload;
  logOut: Scalars['Boolean']['output'];
  /** Marks the caller's messages read; returns how many were unread. */
  markMessagesRead: Scalars['Int']['output'];
  /** A Stripe Checkout session (one-time payment) for a credit pack. */
  purchaseCredits: CheckoutSession;
  /** Rotates: the old refresh token stops working; reusing it revokes the session. */
  refreshToken: AuthPayload;
  releaseHold: Hold;
  /** Refunds the unused part of a purchased bucket through Stripe and removes those credits. */
  requestRefund: Refund;
  /** Moves the quoted amount from balance to held until captured, released or expired. */
  reserveCredits: Hold;
  revokeApiKey: Scalars['Boolean']['output'];
  /** Admins: turn self-service billing on or off (persisted and audited). */
  setSelfServiceBilling: BillingSettings;
  /** Creates the account, its one wallet, and grants the sign-up bonus. */
  signUp: AuthPayload;
  /** A Stripe Checkout session (subscription) for a plan. */
  subscribeToPlan: CheckoutSession;
  /** Every field optional; an explicit null turns a threshold or cap off. */
  updateSettings: Account;
  updateSynfluencer: Synfluencer;
};


export type MutationArchiveSynfluencerArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCaptureHoldArgs = {
  id: Scalars['ID']['input'];
  providerCost?: InputMaybe<Scalars['Credits']['input']>;
  quantity?: InputMaybe<Scalars['Float']['input']>;
};


export type MutationChangePasswordArgs = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};


export type MutationChargeUsageArgs = {
  input: ChargeUsageInput;
};


export type MutationCreateApiKeyArgs = {
  name: Scalars['String']['input'];
  scopes: Array<ApiKeyScope>;
};


export type MutationCreateSynfluencerArgs = {
  input: CreateSynfluencerInput;
};


export type MutationGrantCreditsArgs = {
  accountId: Scalars['ID']['input'];
  amount: Scalars['Credits']['input'];
  idempotencyKey: Scalars['String']['input'];
  reason: Scalars['String']['input'];
};


export type MutationLogInArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
};


export type MutationLogOutArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationMarkMessagesReadArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type MutationPurchaseCreditsArgs = {
  packId: Scalars['ID']['input'];
};


export type MutationRefreshTokenArgs = {
  refreshToken: Scalars['String']['input'];
};


export type MutationReleaseHoldArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRequestRefundArgs = {
  bucketId: Scalars['ID']['input'];
};


export type MutationReserveCreditsArgs = {
  input: ReserveInput;
};


export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSetSelfServiceBillingArgs = {
  enabled: Scalars['Boolean']['input'];
};


export type MutationSignUpArgs = {
  input: SignUpInput;
};


export type MutationSubscribeToPlanArgs = {
  planId: Scalars['ID']['input'];
};


export type MutationUpdateSettingsArgs = {
  input: UpdateSettingsInput;
};


export type MutationUpdateSynfluencerArgs = {
  id: Scalars['ID']['input'];
  input: UpdateSynfluencerInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Plan = {
  __typename?: 'Plan';
  currency: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Credits allocated each billing period; they expire at its end (no rollover). */
  monthlyCredits: Scalars['Credits']['output'];
  name: Scalars['String']['output'];
  /** Decimal monthly price in `currency`, e.g. "29.00". */
  price: Scalars['String']['output'];
};

export type PriceBook = {
  __typename?: 'PriceBook';
  /** What one credit is worth in `currency`. */
  creditValue: Scalars['String']['output'];
  currency: Scalars['String']['output'];
  features: Array<FeaturePrice>;
  name: Scalars['String']['output'];
  /** Multiplier applied to PASS_THROUGH provider costs. */
  passThroughMarkup?: Maybe<Scalars['String']['output']>;
  /** Credits granted at sign-up. */
  signupBonus: Scalars['Credits']['output'];
};

export type PricingModel =
  /** Credits per operation. */
  | 'FIXED'
  /** The provider's actual cost in credits times a markup. */
  | 'PASS_THROUGH'
  /** Credits per second of output, per provider. */
  | 'PER_SECOND';

export type Query = {
  __typename?: 'Query';
  apiKeys: Array<ApiKey>;
  /** A Stripe billing portal session for the account's customer. */
  billingPortal: BillingPortalSession;
  billingSettings: BillingSettings;
  /** Credit packs of the active price book. Public: prices are not secret. */
  creditPacks: Array<CreditPack>;
  hold: Hold;
  /** Admins: checks invariants 1, 2 and 6 for every wallet (or one account). */
  ledgerCheck: LedgerCheck;
  me: Account;
  /** The Messages page, newest first. */
  messages: MessageConnection;
  /** Subscription plans of the active price book (none for pay-as-you-go books). */
  plans: Array<Plan>;
  /** The active price book. Public: prices are not secret. */
  priceBook: PriceBook;
  /** What a charge would cost, without charging. */
  quote: Quote;
  /** The account's refunds, newest first (at most 100). */
  refunds: Array<Refund>;
  /** Newest first: the usage history and audit trail. */
  transactions: TransactionConnection;
  unreadMessageCount: Scalars['Int']['output'];
  /** Spend by day, ISO week or month in the account's timezone, with breakdowns. Default range: the last 30 days, 12 weeks or 12 months (including the current one). */
  usageSummary: UsageSummary;
};


export type QueryHoldArgs = {
  id: Scalars['ID']['input'];
};


export type QueryLedgerCheckArgs = {
  accountId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  unreadOnly?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryQuoteArgs = {
  input: UsageInput;
};


export type QueryTransactionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TransactionFilterInput>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryUsageSummaryArgs = {
  from?: InputMaybe<Scalars['DateTime']['input']>;
  period: UsagePeriod;
  synfluencerId?: InputMaybe<Scalars['ID']['input']>;
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

export type Quote = {
  __typename?: 'Quote';
  /** What the charge would cost, rounded half up to the micro-credit. */
  amount: Scalars['Credits']['output'];
  feature: Scalars['String']['output'];
  markup?: Maybe<Scalars['String']['output']>;
  model: PricingModel;
  provider?: Maybe<Scalars['String']['output']>;
  providerCost?: Maybe<Scalars['Credits']['output']>;
  quantity: Scalars['Float']['output'];
  rate?: Maybe<Scalars['Credits']['output']>;
  unit: Scalars['String']['output'];
};

export type Refund = {
  __typename?: 'Refund';
  /** Credits removed from the bucket. */
  amount: Scalars['Credits']['output'];
  bucketId: Scalars['ID']['output'];
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Money paid back, as a decimal in `currency`, e.g. "4.50". */
  refundedAmount: Scalars['String']['output'];
  /** Money paid back in the smallest currency unit. */
  refundedAmountMinor: Scalars['Int']['output'];
  status: RefundStatus;
};

export type RefundStatus =
  /** Nothing was refunded (nothing left, or Stripe refused); any removed credits were given back. */
  | 'FAILED'
  /** Credits removed; the Stripe refund is not confirmed yet and is retried until it is. */
  | 'PENDING'
  /** Stripe accepted the refund. */
  | 'SUCCEEDED';

export type ReserveInput = {
  /** Admins only: the account to hold credits on. */
  accountId?: InputMaybe<Scalars['ID']['input']>;
  automationId?: InputMaybe<Scalars['String']['input']>;
  /** Default 900, at most 86400. */
  expiresInSeconds?: InputMaybe<Scalars['Int']['input']>;
  feature: Scalars['String']['input'];
  idempotencyKey: Scalars['String']['input'];
  metadata?: InputMaybe<Scalars['JSON']['input']>;
  platform?: InputMaybe<Scalars['String']['input']>;
  provider?: InputMaybe<Scalars['String']['input']>;
  /** The provider's actual cost, required for PASS_THROUGH. */
  providerCost?: InputMaybe<Scalars['Credits']['input']>;
  /** Seconds for PER_SECOND, operations for FIXED (default 1). */
  quantity?: InputMaybe<Scalars['Float']['input']>;
  synfluencerId?: InputMaybe<Scalars['ID']['input']>;
};

export type Role =
  | 'ADMIN'
  | 'USER';

export type Runway = {
  __typename?: 'Runway';
  /** The last 7 days' spend divided by 7, rounded half up to the micro-credit. */
  dailyBurn: Scalars['Credits']['output'];
  /** Account-wide balance / dailyBurn; null when nothing was spent in the last 7 days. */
  daysLeft?: Maybe<Scalars['Float']['output']>;
  /** Spend in the last 7 days. */
  spentLast7Days: Scalars['Credits']['output'];
};

export type SignUpInput = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
  /** IANA time zone, e.g. "Europe/Berlin". Default UTC. */
  timezone?: InputMaybe<Scalars['String']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The wallet after every committed change, in increasing version order (bursts may be coalesced to the latest state). With afterVersion older than the current version, the first event is the current state. */
  balanceChanged: WalletBalance;
  /** Fired when the balance first falls to 25 %, 10 % and 0 % of the balance after the most recent credit; each once per cycle. */
  lowCreditAlert: LowCreditAlert;
  /** Every new message of the account, as it commits. */
  messageAdded: Message;
};


export type SubscriptionBalanceChangedArgs = {
  accountId?: InputMaybe<Scalars['ID']['input']>;
  afterVersion?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionLowCreditAlertArgs = {
  accountId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionMessageAddedArgs = {
  accountId?: InputMaybe<Scalars['ID']['input']>;
};

export type Synfluencer = {
  __typename?: 'Synfluencer';
  archived: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  handle: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  platforms: Array<Scalars['String']['output']>;
};

export type Transaction = {
  __typename?: 'Transaction';
  /** Signed: spend is negative. */
  amount: Scalars['Credits']['output'];
  automationId?: Maybe<Scalars['String']['output']>;
  balanceAfter: Scalars['Credits']['output'];
  createdAt: Scalars['DateTime']['output'];
  description: Scalars['String']['output'];
  /** The credit buckets this movement drew from or added to. */
  draws: Array<BucketDraw>;
  feature?: Maybe<Scalars['String']['output']>;
  holdId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  idempotencyKey?: Maybe<Scalars['String']['output']>;
  kind: TransactionKind;
  metadata?: Maybe<Scalars['JSON']['output']>;
  platform?: Maybe<Scalars['String']['output']>;
  provider?: Maybe<Scalars['String']['output']>;
  quantity?: Maybe<Scalars['Float']['output']>;
  synfluencer?: Maybe<Synfluencer>;
  unit?: Maybe<Scalars['String']['output']>;
  walletVersion: Scalars['String']['output'];
};

export type TransactionConnection = {
  __typename?: 'TransactionConnection';
  edges: Array<TransactionEdge>;
  pageInfo: PageInfo;
};

export type TransactionEdge = {
  __typename?: 'TransactionEdge';
  cursor: Scalars['String']['output'];
  node: Transaction;
};

export type TransactionFilterInput = {
  automationId?: InputMaybe<Scalars['String']['input']>;
  feature?: InputMaybe<Scalars['String']['input']>;
  from?: InputMaybe<Scalars['DateTime']['input']>;
  kinds?: InputMaybe<Array<TransactionKind>>;
  platform?: InputMaybe<Scalars['String']['input']>;
  synfluencerId?: InputMaybe<Scalars['ID']['input']>;
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

export type TransactionKind =
  | 'ADJUSTMENT'
  | 'ADMIN_GRANT'
  | 'CAPTURE'
  | 'HOLD'
  | 'PLAN_ALLOCATION'
  | 'PLAN_EXPIRY'
  | 'PURCHASE'
  | 'REFUND'
  | 'RELEASE'
  | 'SIGNUP_BONUS'
  | 'USAGE';

export type UpdateSettingsInput = {
  burnAlertThreshold?: InputMaybe<Scalars['Credits']['input']>;
  lowCreditEmails?: InputMaybe<Scalars['Boolean']['input']>;
  monthlyBudgetCap?: InputMaybe<Scalars['Credits']['input']>;
  timezone?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateSynfluencerInput = {
  handle?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  platforms?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type UsageBreakdown = {
  __typename?: 'UsageBreakdown';
  count: Scalars['Int']['output'];
  /** The feature, platform, automation id or synfluencer id; null for usage without one. */
  key?: Maybe<Scalars['String']['output']>;
  /** Display name: the price book's feature label, the synfluencer's name. */
  label?: Maybe<Scalars['String']['output']>;
  total: Scalars['Credits']['output'];
};

export type UsageBucket = {
  __typename?: 'UsageBucket';
  count: Scalars['Int']['output'];
  /** Start of the period in the account's timezone (for the first bucket possibly before `from`). */
  start: Scalars['DateTime']['output'];
  /** Spend (charges and captured holds) in this bucket, positive. */
  total: Scalars['Credits']['output'];
};

export type UsageInput = {
  automationId?: InputMaybe<Scalars['String']['input']>;
  feature: Scalars['String']['input'];
  metadata?: InputMaybe<Scalars['JSON']['input']>;
  platform?: InputMaybe<Scalars['String']['input']>;
  provider?: InputMaybe<Scalars['String']['input']>;
  /** The provider's actual cost, required for PASS_THROUGH. */
  providerCost?: InputMaybe<Scalars['Credits']['input']>;
  /** Seconds for PER_SECOND, operations for FIXED (default 1). */
  quantity?: InputMaybe<Scalars['Float']['input']>;
  synfluencerId?: InputMaybe<Scalars['ID']['input']>;
};

export type UsagePeriod =
  /** Calendar days in the account's timezone. */
  | 'DAY'
  /** Calendar months in the account's timezone. */
  | 'MONTH'
  /** ISO weeks (Monday start) in the account's timezone. */
  | 'WEEK';

export type UsageSummary = {
  __typename?: 'UsageSummary';
  /** Every period in the range, oldest first, including empty ones. */
  buckets: Array<UsageBucket>;
  byAutomation: Array<UsageBreakdown>;
  byFeature: Array<UsageBreakdown>;
  byPlatform: Array<UsageBreakdown>;
  bySynfluencer: Array<UsageBreakdown>;
  count: Scalars['Int']['output'];
  /** Beyond the contract: start of the range covered (inclusive). */
  from: Scalars['DateTime']['output'];
  /** Beyond the contract: the period asked for. */
  period: UsagePeriod;
  /** Beyond the contract: the timezone the buckets are in. */
  timezone: Scalars['String']['output'];
  /** Beyond the contract: end of the range covered (exclusive). */
  to: Scalars['DateTime']['output'];
  /** Spend in [from, to): USAGE plus CAPTURE, positive. Held but uncaptured credits are not spend. */
  total: Scalars['Credits']['output'];
};

export type Wallet = {
  __typename?: 'Wallet';
  /** What can be spent now (held credits excluded). */
  balance: Scalars['Credits']['output'];
  buckets: Array<CreditBucket>;
  held: Scalars['Credits']['output'];
  id: Scalars['ID']['output'];
  lifetimePurchased: Scalars['Credits']['output'];
  lifetimeSpend: Scalars['Credits']['output'];
  /** The monthly budget cap, if any (beyond the contract, for dashboards). */
  monthlyBudgetCap?: Maybe<Scalars['Credits']['output']>;
  /** How long the balance lasts at the last 7 days' spend rate (all synfluencers or one). */
  runway: Runway;
  /** Spend in the current calendar month, in the account's timezone. */
  spentThisMonth: Scalars['Credits']['output'];
  status: WalletStatus;
  /** Increases with every change to the wallet; never goes back. */
  version: Scalars['String']['output'];
};


export type WalletRunwayArgs = {
  synfluencerId?: InputMaybe<Scalars['ID']['input']>;
};

/** The wallet's full state after a committed change. */
export type WalletBalance = {
  __typename?: 'WalletBalance';
  /** The account that owns the wallet (beyond the contract, for admins watching several). */
  accountId: Scalars['ID']['output'];
  balance: Scalars['Credits']['output'];
  /** The kind of the latest transaction in this change. */
  cause?: Maybe<TransactionKind>;
  held: Scalars['Credits']['output'];
  spentThisMonth: Scalars['Credits']['output'];
  status: WalletStatus;
  /** Strictly increases across the events one client receives. */
  version: Scalars['String']['output'];
  walletId: Scalars['ID']['output'];
};

export type WalletStatus =
  /** Credits can be spent. */
  | 'ACTIVE'
  /** The monthly budget cap is reached. */
  | 'CAPPED'
  /** The balance is zero: generation pauses. */
  | 'PAUSED';

export type ApiKeyScope =
  /** Charge, quote and hold credits on the key owner's wallet. */
  | 'USAGE_WRITE'
  /** Read the wallet, its history and usage, and subscribe to balance changes. */
  | 'WALLET_READ';

export type ChargeUsageInput = {
  /** Admins only: the account to charge. */
  accountId?: string | number | null | undefined;
  automationId?: string | null | undefined;
  feature: string;
  /** Applied at most once per account, forever. */
  idempotencyKey: string;
  metadata?: Record<string, unknown> | null | undefined;
  platform?: string | null | undefined;
  provider?: string | null | undefined;
  /** The provider's actual cost, required for PASS_THROUGH. */
  providerCost?: string | null | undefined;
  /** Seconds for PER_SECOND, operations for FIXED (default 1). */
  quantity?: number | null | undefined;
  synfluencerId?: string | number | null | undefined;
};

export type CreateSynfluencerInput = {
  handle: string;
  name: string;
  platforms?: Array<string> | null | undefined;
};

export type CreditSource =
  | 'ADMIN_GRANT'
  | 'PLAN_ALLOCATION'
  | 'PURCHASE'
  | 'SIGNUP_BONUS';

export type HoldStatus =
  | 'CAPTURED'
  | 'EXPIRED'
  | 'PENDING'
  | 'RELEASED';

export type MessageKind =
  | 'BUDGET_CAP_REACHED'
  | 'BURN_ALERT'
  | 'CREDITS_DEPLETED'
  | 'LOW_CREDITS'
  | 'PLAN_RENEWED'
  | 'PURCHASE_COMPLETED'
  | 'REFUND_COMPLETED';

export type PricingModel =
  /** Credits per operation. */
  | 'FIXED'
  /** The provider's actual cost in credits times a markup. */
  | 'PASS_THROUGH'
  /** Credits per second of output, per provider. */
  | 'PER_SECOND';

export type RefundStatus =
  /** Nothing was refunded (nothing left, or Stripe refused); any removed credits were given back. */
  | 'FAILED'
  /** Credits removed; the Stripe refund is not confirmed yet and is retried until it is. */
  | 'PENDING'
  /** Stripe accepted the refund. */
  | 'SUCCEEDED';

export type ReserveInput = {
  /** Admins only: the account to hold credits on. */
  accountId?: string | number | null | undefined;
  automationId?: string | null | undefined;
  /** Default 900, at most 86400. */
  expiresInSeconds?: number | null | undefined;
  feature: string;
  idempotencyKey: string;
  metadata?: Record<string, unknown> | null | undefined;
  platform?: string | null | undefined;
  provider?: string | null | undefined;
  /** The provider's actual cost, required for PASS_THROUGH. */
  providerCost?: string | null | undefined;
  /** Seconds for PER_SECOND, operations for FIXED (default 1). */
  quantity?: number | null | undefined;
  synfluencerId?: string | number | null | undefined;
};

export type Role =
  | 'ADMIN'
  | 'USER';

export type SignUpInput = {
  email: string;
  password: string;
  /** IANA time zone, e.g. "Europe/Berlin". Default UTC. */
  timezone?: string | null | undefined;
};

export type TransactionFilterInput = {
  automationId?: string | null | undefined;
  feature?: string | null | undefined;
  from?: string | null | undefined;
  kinds?: Array<TransactionKind> | null | undefined;
  platform?: string | null | undefined;
  synfluencerId?: string | number | null | undefined;
  to?: string | null | undefined;
};

export type TransactionKind =
  | 'ADJUSTMENT'
  | 'ADMIN_GRANT'
  | 'CAPTURE'
  | 'HOLD'
  | 'PLAN_ALLOCATION'
  | 'PLAN_EXPIRY'
  | 'PURCHASE'
  | 'REFUND'
  | 'RELEASE'
  | 'SIGNUP_BONUS'
  | 'USAGE';

export type UpdateSettingsInput = {
  burnAlertThreshold?: string | null | undefined;
  lowCreditEmails?: boolean | null | undefined;
  monthlyBudgetCap?: string | null | undefined;
  timezone?: string | null | undefined;
};

export type UpdateSynfluencerInput = {
  handle?: string | null | undefined;
  name?: string | null | undefined;
  platforms?: Array<string> | null | undefined;
};

export type UsageInput = {
  automationId?: string | null | undefined;
  feature: string;
  metadata?: Record<string, unknown> | null | undefined;
  platform?: string | null | undefined;
  provider?: string | null | undefined;
  /** The provider's actual cost, required for PASS_THROUGH. */
  providerCost?: string | null | undefined;
  /** Seconds for PER_SECOND, operations for FIXED (default 1). */
  quantity?: number | null | undefined;
  synfluencerId?: string | number | null | undefined;
};

export type UsagePeriod =
  /** Calendar days in the account's timezone. */
  | 'DAY'
  /** Calendar months in the account's timezone. */
  | 'MONTH'
  /** ISO weeks (Monday start) in the account's timezone. */
  | 'WEEK';

export type WalletStatus =
  /** Credits can be spent. */
  | 'ACTIVE'
  /** The monthly budget cap is reached. */
  | 'CAPPED'
  /** The balance is zero: generation pauses. */
  | 'PAUSED';

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, email: string, role: Role, timezone: string, settings: { burnAlertThreshold: string | null, monthlyBudgetCap: string | null, lowCreditEmails: boolean }, wallet: { id: string, balance: string, held: string, lifetimeSpend: string, lifetimePurchased: string, spentThisMonth: string, version: string, status: WalletStatus, buckets: Array<{ id: string, source: CreditSource, granted: string, remaining: string, expiresAt: string | null }> } } };

export type MySynfluencersQueryVariables = Exact<{
  includeArchived?: boolean | null | undefined;
}>;


export type MySynfluencersQuery = { me: { synfluencers: Array<{ id: string, name: string, handle: string, platforms: Array<string>, archived: boolean }> } };

export type UpdateSettingsMutationVariables = Exact<{
  input: UpdateSettingsInput;
}>;


export type UpdateSettingsMutation = { updateSettings: { timezone: string, settings: { burnAlertThreshold: string | null, monthlyBudgetCap: string | null, lowCreditEmails: boolean } } };

export type CreateSynfluencerMutationVariables = Exact<{
  input: CreateSynfluencerInput;
}>;


export type CreateSynfluencerMutation = { createSynfluencer: { id: string, name: string, handle: string, platforms: Array<string>, archived: boolean } };

export type UpdateSynfluencerMutationVariables = Exact<{
  id: string | number;
  input: UpdateSynfluencerInput;
}>;


export type UpdateSynfluencerMutation = { updateSynfluencer: { id: string, name: string, handle: string, platforms: Array<string> } };

export type ArchiveSynfluencerMutationVariables = Exact<{
  id: string | number;
}>;


export type ArchiveSynfluencerMutation = { archiveSynfluencer: { id: string, archived: boolean } };

export type AuthFieldsFragment = { accessToken: string, refreshToken: string, expiresAt: string, account: { id: string, email: string, role: Role } };

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { signUp: { accessToken: string, refreshToken: string, expiresAt: string, account: { id: string, email: string, role: Role } } };

export type LogInMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type LogInMutation = { logIn: { accessToken: string, refreshToken: string, expiresAt: string, account: { id: string, email: string, role: Role } } };

export type RefreshTokenMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshTokenMutation = { refreshToken: { accessToken: string, refreshToken: string, expiresAt: string, account: { id: string, email: string, role: Role } } };

export type LogOutMutationVariables = Exact<{
  refreshToken: string;
}>;


export type LogOutMutation = { logOut: boolean };

export type ChangePasswordMutationVariables = Exact<{
  currentPassword: string;
  newPassword: string;
}>;


export type ChangePasswordMutation = { changePassword: boolean };

export type CreateApiKeyMutationVariables = Exact<{
  name: string;
  scopes: Array<ApiKeyScope> | ApiKeyScope;
}>;


export type CreateApiKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string, scopes: Array<ApiKeyScope> } } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: boolean };

export type ApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiKeysQuery = { apiKeys: Array<{ id: string, name: string, prefix: string, scopes: Array<ApiKeyScope>, revokedAt: string | null }> };

export type CatalogQueryVariables = Exact<{ [key: string]: never; }>;


export type CatalogQuery = { creditPacks: Array<{ id: string, name: string, price: string, currency: string, credits: string }>, plans: Array<{ id: string, name: string, monthlyCredits: string, price: string, currency: string }> };

export type BillingSettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type BillingSettingsQuery = { billingSettings: { selfServiceEnabled: boolean, topUpAvailable: boolean, portalAvailable: boolean } };

export type SetSelfServiceBillingMutationVariables = Exact<{
  enabled: boolean;
}>;


export type SetSelfServiceBillingMutation = { setSelfServiceBilling: { selfServiceEnabled: boolean, topUpAvailable: boolean, portalAvailable: boolean } };

export type PurchaseCreditsMutationVariables = Exact<{
  packId: string | number;
}>;


export type PurchaseCreditsMutation = { purchaseCredits: { id: string, url: string } };

export type SubscribeToPlanMutationVariables = Exact<{
  planId: string | number;
}>;


export type SubscribeToPlanMutation = { subscribeToPlan: { id: string, url: string } };

export type BillingPortalMutationVariables = Exact<{ [key: string]: never; }>;


export type BillingPortalMutation = { billingPortal: { url: string } };

export type BillingPortalQueryQueryVariables = Exact<{ [key: string]: never; }>;


export type BillingPortalQueryQuery = { billingPortal: { url: string } };

export type RequestRefundMutationVariables = Exact<{
  bucketId: string | number;
}>;


export type RequestRefundMutation = { requestRefund: { id: string, bucketId: string, amount: string, status: RefundStatus, refundedAmount: string, refundedAmountMinor: number, currency: string } };

export type TxFieldsFragment = { id: string, kind: TransactionKind, amount: string, balanceAfter: string, walletVersion: string, description: string, feature: string | null, platform: string | null, automationId: string | null, provider: string | null, quantity: number | null, unit: string | null, idempotencyKey: string | null, holdId: string | null, createdAt: string, synfluencer: { id: string } | null, draws: Array<{ bucketId: string, amount: string }> };

export type WalletFieldsFragment = { id: string, balance: string, held: string, spentThisMonth: string, lifetimeSpend: string, lifetimePurchased: string, version: string, status: WalletStatus };

export type ChargeUsageMutationVariables = Exact<{
  input: ChargeUsageInput;
}>;


export type ChargeUsageMutation = { chargeUsage: { transaction: { id: string, kind: TransactionKind, amount: string, balanceAfter: string, walletVersion: string, description: string, feature: string | null, platform: string | null, automationId: string | null, provider: string | null, quantity: number | null, unit: string | null, idempotencyKey: string | null, holdId: string | null, createdAt: string, synfluencer: { id: string } | null, draws: Array<{ bucketId: string, amount: string }> }, wallet: { id: string, balance: string, held: string, spentThisMonth: string, lifetimeSpend: string, lifetimePurchased: string, version: string, status: WalletStatus } } };

export type ReserveCreditsMutationVariables = Exact<{
  input: ReserveInput;
}>;


export type ReserveCreditsMutation = { reserveCredits: { id: string, status: HoldStatus, amount: string, captured: string | null, expiresAt: string, feature: string } };

export type CaptureHoldMutationVariables = Exact<{
  id: string | number;
  quantity?: number | null | undefined;
  providerCost?: string | null | undefined;
}>;


export type CaptureHoldMutation = { captureHold: { transaction: { id: string, kind: TransactionKind, amount: string, balanceAfter: string, walletVersion: string, description: string, feature: string | null, platform: string | null, automationId: string | null, provider: string | null, quantity: number | null, unit: string | null, idempotencyKey: string | null, holdId: string | null, createdAt: string, synfluencer: { id: string } | null, draws: Array<{ bucketId: string, amount: string }> }, wallet: { id: string, balance: string, held: string, spentThisMonth: string, lifetimeSpend: string, lifetimePurchased: string, version: string, status: WalletStatus } } };

export type ReleaseHoldMutationVariables = Exact<{
  id: string | number;
}>;


export type ReleaseHoldMutation = { releaseHold: { id: string, status: HoldStatus, amount: string } };

export type HoldQueryVariables = Exact<{
  id: string | number;
}>;


export type HoldQuery = { hold: { id: string, status: HoldStatus, amount: string, captured: string | null } };

export type TransactionsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: TransactionFilterInput | null | undefined;
}>;


export type TransactionsQuery = { transactions: { edges: Array<{ cursor: string, node: { id: string, kind: TransactionKind, amount: string, balanceAfter: string, walletVersion: string, description: string, feature: string | null, platform: string | null, automationId: string | null, provider: string | null, quantity: number | null, unit: string | null, idempotencyKey: string | null, holdId: string | null, createdAt: string, synfluencer: { id: string } | null, draws: Array<{ bucketId: string, amount: string }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type GrantCreditsMutationVariables = Exact<{
  accountId: string | number;
  amount: string;
  reason: string;
  idempotencyKey: string;
}>;


export type GrantCreditsMutation = { grantCredits: { id: string, kind: TransactionKind, amount: string, balanceAfter: string, walletVersion: string, description: string, feature: string | null, platform: string | null, automationId: string | null, provider: string | null, quantity: number | null, unit: string | null, idempotencyKey: string | null, holdId: string | null, createdAt: string, synfluencer: { id: string } | null, draws: Array<{ bucketId: string, amount: string }> } };

export type LedgerCheckQueryVariables = Exact<{
  accountId?: string | number | null | undefined;
}>;


export type LedgerCheckQuery = { ledgerCheck: { ok: boolean, walletsChecked: number, violations: Array<{ walletId: string, invariant: number, message: string }> } };

export type PriceBookQueryVariables = Exact<{ [key: string]: never; }>;


export type PriceBookQuery = { priceBook: { name: string, currency: string, creditValue: string, signupBonus: string, features: Array<{ feature: string, label: string, model: PricingModel, unit: string, rate: string | null, provider: string | null }> } };

export type QuoteQueryVariables = Exact<{
  input: UsageInput;
}>;


export type QuoteQuery = { quote: { feature: string, model: PricingModel, quantity: number, amount: string, providerCost: string | null } };

export type WalletOnlyQueryVariables = Exact<{ [key: string]: never; }>;


export type WalletOnlyQuery = { me: { wallet: { id: string, balance: string, held: string, spentThisMonth: string, lifetimeSpend: string, lifetimePurchased: string, version: string, status: WalletStatus } } };

export type MessageFieldsFragment = { id: string, kind: MessageKind, title: string, body: string, data: Record<string, unknown> | null, read: boolean, createdAt: string };

export type MessagesQueryVariables = Exact<{
  unreadOnly?: boolean | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MessagesQuery = { messages: { edges: Array<{ cursor: string, node: { id: string, kind: MessageKind, title: string, body: string, data: Record<string, unknown> | null, read: boolean, createdAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UnreadMessageCountQueryVariables = Exact<{ [key: string]: never; }>;


export type UnreadMessageCountQuery = { unreadMessageCount: number };

export type MarkMessagesReadMutationVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type MarkMessagesReadMutation = { markMessagesRead: number };

export type BalanceChangedSubscriptionVariables = Exact<{
  afterVersion?: string | null | undefined;
  accountId?: string | number | null | undefined;
}>;


export type BalanceChangedSubscription = { balanceChanged: { walletId: string, accountId: string, balance: string, held: string, spentThisMonth: string, status: WalletStatus, version: string, cause: TransactionKind | null } };

export type LowCreditAlertSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LowCreditAlertSubscription = { lowCreditAlert: { threshold: number, balance: string, reference: string, createdAt: string } };

export type MessageAddedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type MessageAddedSubscription = { messageAdded: { id: string, kind: MessageKind, title: string, body: string, data: Record<string, unknown> | null, read: boolean, createdAt: string } };

export type BreakdownFieldsFragment = { key: string | null, label: string | null, total: string, count: number };

export type UsageSummaryQueryVariables = Exact<{
  period: UsagePeriod;
  synfluencerId?: string | number | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
}>;


export type UsageSummaryQuery = { usageSummary: { total: string, count: number, period: UsagePeriod, timezone: string, from: string, to: string, buckets: Array<{ start: string, total: string, count: number }>, byFeature: Array<{ key: string | null, label: string | null, total: string, count: number }>, byPlatform: Array<{ key: string | null, label: string | null, total: string, count: number }>, byAutomation: Array<{ key: string | null, label: string | null, total: string, count: number }>, bySynfluencer: Array<{ key: string | null, label: string | null, total: string, count: number }> } };

export type WalletRunwayQueryVariables = Exact<{
  synfluencerId?: string | number | null | undefined;
}>;


export type WalletRunwayQuery = { me: { wallet: { balance: string, lifetimeSpend: string, lifetimePurchased: string, spentThisMonth: string, runway: { dailyBurn: string, daysLeft: number | null, spentLast7Days: string } } } };

export const AuthFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<AuthFieldsFragment, unknown>;
export const TxFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TxFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Transaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"balanceAfter"}},{"kind":"Field","name":{"kind":"Name","value":"walletVersion"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"feature"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"automationId"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"idempotencyKey"}},{"kind":"Field","name":{"kind":"Name","value":"holdId"}},{"kind":"Field","name":{"kind":"Name","value":"synfluencer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"draws"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bucketId"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<TxFieldsFragment, unknown>;
export const WalletFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WalletFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Wallet"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"spentThisMonth"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimeSpend"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimePurchased"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]} as unknown as DocumentNode<WalletFieldsFragment, unknown>;
export const MessageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"data"}},{"kind":"Field","name":{"kind":"Name","value":"read"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<MessageFieldsFragment, unknown>;
export const BreakdownFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BreakdownFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UsageBreakdown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]} as unknown as DocumentNode<BreakdownFieldsFragment, unknown>;
export const MeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"burnAlertThreshold"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyBudgetCap"}},{"kind":"Field","name":{"kind":"Name","value":"lowCreditEmails"}}]}},{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimeSpend"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimePurchased"}},{"kind":"Field","name":{"kind":"Name","value":"spentThisMonth"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"buckets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"granted"}},{"kind":"Field","name":{"kind":"Name","value":"remaining"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<MeQuery, MeQueryVariables>;
export const MySynfluencersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MySynfluencers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"includeArchived"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"synfluencers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"includeArchived"},"value":{"kind":"Variable","name":{"kind":"Name","value":"includeArchived"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"handle"}},{"kind":"Field","name":{"kind":"Name","value":"platforms"}},{"kind":"Field","name":{"kind":"Name","value":"archived"}}]}}]}}]}}]} as unknown as DocumentNode<MySynfluencersQuery, MySynfluencersQueryVariables>;
export const UpdateSettingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateSettings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSettingsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSettings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"settings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"burnAlertThreshold"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyBudgetCap"}},{"kind":"Field","name":{"kind":"Name","value":"lowCreditEmails"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateSettingsMutation, UpdateSettingsMutationVariables>;
export const CreateSynfluencerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSynfluencer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSynfluencerInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSynfluencer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"handle"}},{"kind":"Field","name":{"kind":"Name","value":"platforms"}},{"kind":"Field","name":{"kind":"Name","value":"archived"}}]}}]}}]} as unknown as DocumentNode<CreateSynfluencerMutation, CreateSynfluencerMutationVariables>;
export const UpdateSynfluencerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateSynfluencer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSynfluencerInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSynfluencer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"handle"}},{"kind":"Field","name":{"kind":"Name","value":"platforms"}}]}}]}}]} as unknown as DocumentNode<UpdateSynfluencerMutation, UpdateSynfluencerMutationVariables>;
export const ArchiveSynfluencerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ArchiveSynfluencer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"archiveSynfluencer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"archived"}}]}}]}}]} as unknown as DocumentNode<ArchiveSynfluencerMutation, ArchiveSynfluencerMutationVariables>;
export const SignUpDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SignUp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SignUpInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"signUp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<SignUpMutation, SignUpMutationVariables>;
export const LogInDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LogIn"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logIn"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<LogInMutation, LogInMutationVariables>;
export const RefreshTokenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<RefreshTokenMutation, RefreshTokenMutationVariables>;
export const LogOutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LogOut"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logOut"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}]}]}}]} as unknown as DocumentNode<LogOutMutation, LogOutMutationVariables>;
export const ChangePasswordDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChangePassword"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"currentPassword"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"newPassword"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"changePassword"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"currentPassword"},"value":{"kind":"Variable","name":{"kind":"Name","value":"currentPassword"}}},{"kind":"Argument","name":{"kind":"Name","value":"newPassword"},"value":{"kind":"Variable","name":{"kind":"Name","value":"newPassword"}}}]}]}}]} as unknown as DocumentNode<ChangePasswordMutation, ChangePasswordMutationVariables>;
export const CreateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"scopes"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKeyScope"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"scopes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scopes"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}}]}}]}}]} as unknown as DocumentNode<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const ApiKeysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKeys"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}}]} as unknown as DocumentNode<ApiKeysQuery, ApiKeysQueryVariables>;
export const CatalogDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Catalog"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"creditPacks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"credits"}}]}},{"kind":"Field","name":{"kind":"Name","value":"plans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyCredits"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<CatalogQuery, CatalogQueryVariables>;
export const BillingSettingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BillingSettings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"billingSettings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"selfServiceEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"topUpAvailable"}},{"kind":"Field","name":{"kind":"Name","value":"portalAvailable"}}]}}]}}]} as unknown as DocumentNode<BillingSettingsQuery, BillingSettingsQueryVariables>;
export const SetSelfServiceBillingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetSelfServiceBilling"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"enabled"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setSelfServiceBilling"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"enabled"},"value":{"kind":"Variable","name":{"kind":"Name","value":"enabled"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"selfServiceEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"topUpAvailable"}},{"kind":"Field","name":{"kind":"Name","value":"portalAvailable"}}]}}]}}]} as unknown as DocumentNode<SetSelfServiceBillingMutation, SetSelfServiceBillingMutationVariables>;
export const PurchaseCreditsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PurchaseCredits"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"packId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"purchaseCredits"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"packId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"packId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}}]}}]} as unknown as DocumentNode<PurchaseCreditsMutation, PurchaseCreditsMutationVariables>;
export const SubscribeToPlanDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SubscribeToPlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"planId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subscribeToPlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"planId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"planId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}}]}}]} as unknown as DocumentNode<SubscribeToPlanMutation, SubscribeToPlanMutationVariables>;
export const BillingPortalDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BillingPortal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"billingPortal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}}]}}]}}]} as unknown as DocumentNode<BillingPortalMutation, BillingPortalMutationVariables>;
export const BillingPortalQueryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BillingPortalQuery"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"billingPortal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}}]}}]}}]} as unknown as DocumentNode<BillingPortalQueryQuery, BillingPortalQueryQueryVariables>;
export const RequestRefundDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RequestRefund"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"bucketId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requestRefund"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"bucketId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"bucketId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"bucketId"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"refundedAmount"}},{"kind":"Field","name":{"kind":"Name","value":"refundedAmountMinor"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]} as unknown as DocumentNode<RequestRefundMutation, RequestRefundMutationVariables>;
export const ChargeUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChargeUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChargeUsageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chargeUsage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transaction"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TxFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WalletFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TxFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Transaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"balanceAfter"}},{"kind":"Field","name":{"kind":"Name","value":"walletVersion"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"feature"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"automationId"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"idempotencyKey"}},{"kind":"Field","name":{"kind":"Name","value":"holdId"}},{"kind":"Field","name":{"kind":"Name","value":"synfluencer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"draws"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bucketId"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WalletFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Wallet"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"spentThisMonth"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimeSpend"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimePurchased"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]} as unknown as DocumentNode<ChargeUsageMutation, ChargeUsageMutationVariables>;
export const ReserveCreditsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReserveCredits"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReserveInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reserveCredits"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"captured"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"feature"}}]}}]}}]} as unknown as DocumentNode<ReserveCreditsMutation, ReserveCreditsMutationVariables>;
export const CaptureHoldDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CaptureHold"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"quantity"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Float"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"providerCost"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Credits"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"captureHold"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"quantity"},"value":{"kind":"Variable","name":{"kind":"Name","value":"quantity"}}},{"kind":"Argument","name":{"kind":"Name","value":"providerCost"},"value":{"kind":"Variable","name":{"kind":"Name","value":"providerCost"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transaction"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TxFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WalletFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TxFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Transaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"balanceAfter"}},{"kind":"Field","name":{"kind":"Name","value":"walletVersion"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"feature"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"automationId"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"idempotencyKey"}},{"kind":"Field","name":{"kind":"Name","value":"holdId"}},{"kind":"Field","name":{"kind":"Name","value":"synfluencer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"draws"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bucketId"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WalletFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Wallet"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"spentThisMonth"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimeSpend"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimePurchased"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]} as unknown as DocumentNode<CaptureHoldMutation, CaptureHoldMutationVariables>;
export const ReleaseHoldDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReleaseHold"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"releaseHold"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}}]}}]} as unknown as DocumentNode<ReleaseHoldMutation, ReleaseHoldMutationVariables>;
export const HoldDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Hold"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hold"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"captured"}}]}}]}}]} as unknown as DocumentNode<HoldQuery, HoldQueryVariables>;
export const TransactionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Transactions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"TransactionFilterInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transactions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TxFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TxFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Transaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"balanceAfter"}},{"kind":"Field","name":{"kind":"Name","value":"walletVersion"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"feature"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"automationId"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"idempotencyKey"}},{"kind":"Field","name":{"kind":"Name","value":"holdId"}},{"kind":"Field","name":{"kind":"Name","value":"synfluencer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"draws"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bucketId"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<TransactionsQuery, TransactionsQueryVariables>;
export const GrantCreditsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"GrantCredits"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"amount"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Credits"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"grantCredits"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"accountId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}}},{"kind":"Argument","name":{"kind":"Name","value":"amount"},"value":{"kind":"Variable","name":{"kind":"Name","value":"amount"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"TxFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"TxFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Transaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"balanceAfter"}},{"kind":"Field","name":{"kind":"Name","value":"walletVersion"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"feature"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"automationId"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"idempotencyKey"}},{"kind":"Field","name":{"kind":"Name","value":"holdId"}},{"kind":"Field","name":{"kind":"Name","value":"synfluencer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"draws"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bucketId"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<GrantCreditsMutation, GrantCreditsMutationVariables>;
export const LedgerCheckDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LedgerCheck"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ledgerCheck"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"accountId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"walletsChecked"}},{"kind":"Field","name":{"kind":"Name","value":"violations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"walletId"}},{"kind":"Field","name":{"kind":"Name","value":"invariant"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<LedgerCheckQuery, LedgerCheckQueryVariables>;
export const PriceBookDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PriceBook"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"priceBook"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"creditValue"}},{"kind":"Field","name":{"kind":"Name","value":"signupBonus"}},{"kind":"Field","name":{"kind":"Name","value":"features"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"feature"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"rate"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}}]}}]}}]}}]} as unknown as DocumentNode<PriceBookQuery, PriceBookQueryVariables>;
export const QuoteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Quote"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UsageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quote"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"feature"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"providerCost"}}]}}]}}]} as unknown as DocumentNode<QuoteQuery, QuoteQueryVariables>;
export const WalletOnlyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WalletOnly"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WalletFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WalletFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Wallet"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"spentThisMonth"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimeSpend"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimePurchased"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]} as unknown as DocumentNode<WalletOnlyQuery, WalletOnlyQueryVariables>;
export const MessagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Messages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"unreadOnly"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"unreadOnly"},"value":{"kind":"Variable","name":{"kind":"Name","value":"unreadOnly"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"data"}},{"kind":"Field","name":{"kind":"Name","value":"read"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<MessagesQuery, MessagesQueryVariables>;
export const UnreadMessageCountDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UnreadMessageCount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unreadMessageCount"}}]}}]} as unknown as DocumentNode<UnreadMessageCountQuery, UnreadMessageCountQueryVariables>;
export const MarkMessagesReadDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"MarkMessagesRead"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markMessagesRead"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}]}]}}]} as unknown as DocumentNode<MarkMessagesReadMutation, MarkMessagesReadMutationVariables>;
export const BalanceChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"BalanceChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"afterVersion"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"balanceChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"afterVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"afterVersion"}}},{"kind":"Argument","name":{"kind":"Name","value":"accountId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"walletId"}},{"kind":"Field","name":{"kind":"Name","value":"accountId"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"spentThisMonth"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"cause"}}]}}]}}]} as unknown as DocumentNode<BalanceChangedSubscription, BalanceChangedSubscriptionVariables>;
export const LowCreditAlertDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LowCreditAlert"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lowCreditAlert"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"threshold"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"reference"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<LowCreditAlertSubscription, LowCreditAlertSubscriptionVariables>;
export const MessageAddedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"MessageAdded"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageAdded"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"data"}},{"kind":"Field","name":{"kind":"Name","value":"read"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]} as unknown as DocumentNode<MessageAddedSubscription, MessageAddedSubscriptionVariables>;
export const UsageSummaryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UsageSummary"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"period"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UsagePeriod"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"synfluencerId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usageSummary"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"period"},"value":{"kind":"Variable","name":{"kind":"Name","value":"period"}}},{"kind":"Argument","name":{"kind":"Name","value":"synfluencerId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"synfluencerId"}}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"timezone"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"buckets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"byFeature"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BreakdownFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"byPlatform"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BreakdownFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"byAutomation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BreakdownFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"bySynfluencer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BreakdownFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BreakdownFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UsageBreakdown"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]} as unknown as DocumentNode<UsageSummaryQuery, UsageSummaryQueryVariables>;
export const WalletRunwayDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WalletRunway"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"synfluencerId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimeSpend"}},{"kind":"Field","name":{"kind":"Name","value":"lifetimePurchased"}},{"kind":"Field","name":{"kind":"Name","value":"spentThisMonth"}},{"kind":"Field","name":{"kind":"Name","value":"runway"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"synfluencerId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"synfluencerId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dailyBurn"}},{"kind":"Field","name":{"kind":"Name","value":"daysLeft"}},{"kind":"Field","name":{"kind":"Name","value":"spentLast7Days"}}]}}]}}]}}]}}]} as unknown as DocumentNode<WalletRunwayQuery, WalletRunwayQueryVariables>;