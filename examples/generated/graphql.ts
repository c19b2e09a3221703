/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Where a hold is in its life; only PENDING holds can be captured or released. */
export type HoldStatus =
  /** The actual cost was charged and the rest returned (final). */
  | 'CAPTURED'
  /** Not settled by expiresAt: everything held was returned automatically (final). */
  | 'EXPIRED'
  /** Credits are held, waiting for captureHold or releaseHold (until expiresAt). */
  | 'PENDING'
  /** Everything held was returned by releaseHold (final). */
  | 'RELEASED';

/** A hold: the estimated usage, the key that makes retrying it safe, and how long to hold. */
export type ReserveInput = {
  /** Admins only: the account to hold credits on. */
  accountId?: string | number | null | undefined;
  /** Your automation or workflow id, for reports; at most 200 characters. */
  automationId?: string | null | undefined;
  /** Seconds until the hold expires and returns its credits: default 900, 1 to 86400. */
  expiresInSeconds?: number | null | undefined;
  /** A feature of the active price book (see priceBook.features); anything else is BAD_USER_INPUT. */
  feature: string;
  /** Applied at most once per account, forever (1 to 255 characters). Retrying with the same key and input returns the original Hold; other input is IDEMPOTENCY_CONFLICT. */
  idempotencyKey: string;
  /** A JSON object kept on the transaction (at most 4 KiB serialized); not interpreted. */
  metadata?: JsonValue | null | undefined;
  /** Free text for reports, e.g. "instagram"; at most 200 characters. */
  platform?: string | null | undefined;
  /** The AI provider; must be the feature's own provider where the price book names one. At most 200 characters. */
  provider?: string | null | undefined;
  /** The provider's actual cost in credits: required for PASS_THROUGH features (at most 1,000,000), refused for the others. A cost that prices to 0 credits is BAD_USER_INPUT (captureHold alone accepts 0). */
  providerCost?: string | null | undefined;
  /** Seconds of output for PER_SECOND (required, > 0, at most 86400; so little that it prices to 0 credits is BAD_USER_INPUT), a whole number of operations for FIXED (default 1, at most 1000); for PASS_THROUGH recorded but not priced (default 1). */
  quantity?: number | null | undefined;
  /** One of the account's synfluencers, for usage reports (NOT_FOUND otherwise). */
  synfluencerId?: string | number | null | undefined;
};

/** Why a ledger transaction happened. Amounts are signed: credits in are positive, credits out negative. */
export type TransactionKind =
  /** A correction made by the service, e.g. credits given back when a refund failed. */
  | 'ADJUSTMENT'
  /** Credits granted by an admin (positive). */
  | 'ADMIN_GRANT'
  /** The actual cost of a held job (captureHold; negative). Counts as spend. */
  | 'CAPTURE'
  /** Credits moved from balance to held by reserveCredits (negative on the balance). */
  | 'HOLD'
  /** A plan period's credits (positive). */
  | 'PLAN_ALLOCATION'
  /** Unused plan credits removed at the end of their period, or any bucket's credits past their expiry (negative). */
  | 'PLAN_EXPIRY'
  /** A credit pack paid through Stripe, credited by the verified webhook (positive). */
  | 'PURCHASE'
  /** Unused purchased credits removed because their payment was refunded (negative). */
  | 'REFUND'
  /** Held credits returned to the balance: on release, on expiry, and before every capture (positive). */
  | 'RELEASE'
  /** The sign-up bonus (positive). */
  | 'SIGNUP_BONUS'
  /** A charge for AI usage (chargeUsage; negative). Counts as spend. */
  | 'USAGE';

/** What was (or will be) used: the price book feature and its quantity, and who it was for. Usage that prices to 0 credits (prices round half up to 0.000001) is BAD_USER_INPUT for quotes, charges and holds: the ledger records no free rows. */
export type UsageInput = {
  /** Your automation or workflow id, for reports; at most 200 characters. */
  automationId?: string | null | undefined;
  /** A feature of the active price book (see priceBook.features); anything else is BAD_USER_INPUT. */
  feature: string;
  /** A JSON object kept on the transaction (at most 4 KiB serialized); not interpreted. */
  metadata?: JsonValue | null | undefined;
  /** Free text for reports, e.g. "instagram"; at most 200 characters. */
  platform?: string | null | undefined;
  /** The AI provider; must be the feature's own provider where the price book names one. At most 200 characters. */
  provider?: string | null | undefined;
  /** The provider's actual cost in credits: required for PASS_THROUGH features (at most 1,000,000), refused for the others. A cost that prices to 0 credits is BAD_USER_INPUT (captureHold alone accepts 0). */
  providerCost?: string | null | undefined;
  /** Seconds of output for PER_SECOND (required, > 0, at most 86400; so little that it prices to 0 credits is BAD_USER_INPUT), a whole number of operations for FIXED (default 1, at most 1000); for PASS_THROUGH recorded but not priced (default 1). */
  quantity?: number | null | undefined;
  /** One of the account's synfluencers, for usage reports (NOT_FOUND otherwise). */
  synfluencerId?: string | number | null | undefined;
};

/** Whether the wallet can be spent from now. */
export type WalletStatus =
  /** Credits can be spent. */
  | 'ACTIVE'
  /** The monthly budget cap is reached. */
  | 'CAPPED'
  /** The balance is zero: generation pauses. */
  | 'PAUSED';

export type LiveBalanceSubscriptionVariables = Exact<{
  afterVersion?: string | null | undefined;
}>;


export type LiveBalanceSubscription = { balanceChanged: { version: string, balance: string, held: string, status: WalletStatus, cause: TransactionKind | null, wallet: { id: string, balance: string, held: string, version: string, status: WalletStatus } } };

export type RefreshMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshMutation = { refreshToken: { accessToken: string, refreshToken: string, expiresAt: string } };

export type QuoteQueryVariables = Exact<{
  input: UsageInput;
}>;


export type QuoteQuery = { quote: { amount: string, unit: string, quantity: number } };

export type ReserveMutationVariables = Exact<{
  input: ReserveInput;
}>;


export type ReserveMutation = { reserveCredits: { id: string, status: HoldStatus, amount: string, expiresAt: string } };

export type CaptureMutationVariables = Exact<{
  id: string | number;
  quantity?: number | null | undefined;
  idempotencyKey?: string | null | undefined;
}>;


export type CaptureMutation = { captureHold: { transaction: { id: string, amount: string, walletVersion: string }, wallet: { id: string, balance: string, held: string, version: string }, hold: { id: string, status: HoldStatus, captured: string | null } | null } };


export const LiveBalanceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveBalance"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"afterVersion"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"balanceChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"afterVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"afterVersion"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"cause"}},{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<LiveBalanceSubscription, LiveBalanceSubscriptionVariables>;
export const RefreshDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Refresh"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<RefreshMutation, RefreshMutationVariables>;
export const QuoteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Quote"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UsageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quote"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}}]}}]} as unknown as DocumentNode<QuoteQuery, QuoteQueryVariables>;
export const ReserveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Reserve"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReserveInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reserveCredits"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<ReserveMutation, ReserveMutationVariables>;
export const CaptureDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Capture"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"quantity"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Float"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"captureHold"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"quantity"},"value":{"kind":"Variable","name":{"kind":"Name","value":"quantity"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transaction"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"walletVersion"}}]}},{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"held"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hold"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"captured"}}]}}]}}]}}]} as unknown as DocumentNode<CaptureMutation, CaptureMutationVariables>;