/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "subscription LiveBalance($afterVersion: String) {\n  balanceChanged(afterVersion: $afterVersion) {\n    version\n    balance\n    held\n    status\n    cause\n    wallet {\n      id\n      balance\n      held\n      version\n      status\n    }\n  }\n}\n\nmutation Refresh($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresAt\n  }\n}": typeof types.LiveBalanceDocument,
    "query Quote($input: UsageInput!) {\n  quote(input: $input) {\n    amount\n    unit\n    quantity\n  }\n}\n\nmutation Reserve($input: ReserveInput!) {\n  reserveCredits(input: $input) {\n    id\n    status\n    amount\n    expiresAt\n  }\n}\n\nmutation Capture($id: ID!, $quantity: Float, $idempotencyKey: String) {\n  captureHold(id: $id, quantity: $quantity, idempotencyKey: $idempotencyKey) {\n    transaction {\n      id\n      amount\n      walletVersion\n    }\n    wallet {\n      id\n      balance\n      held\n      version\n    }\n    hold {\n      id\n      status\n      captured\n    }\n  }\n}": typeof types.QuoteDocument,
};
const documents: Documents = {
    "subscription LiveBalance($afterVersion: String) {\n  balanceChanged(afterVersion: $afterVersion) {\n    version\n    balance\n    held\n    status\n    cause\n    wallet {\n      id\n      balance\n      held\n      version\n      status\n    }\n  }\n}\n\nmutation Refresh($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresAt\n  }\n}": types.LiveBalanceDocument,
    "query Quote($input: UsageInput!) {\n  quote(input: $input) {\n    amount\n    unit\n    quantity\n  }\n}\n\nmutation Reserve($input: ReserveInput!) {\n  reserveCredits(input: $input) {\n    id\n    status\n    amount\n    expiresAt\n  }\n}\n\nmutation Capture($id: ID!, $quantity: Float, $idempotencyKey: String) {\n  captureHold(id: $id, quantity: $quantity, idempotencyKey: $idempotencyKey) {\n    transaction {\n      id\n      amount\n      walletVersion\n    }\n    wallet {\n      id\n      balance\n      held\n      version\n    }\n    hold {\n      id\n      status\n      captured\n    }\n  }\n}": types.QuoteDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription LiveBalance($afterVersion: String) {\n  balanceChanged(afterVersion: $afterVersion) {\n    version\n    balance\n    held\n    status\n    cause\n    wallet {\n      id\n      balance\n      held\n      version\n      status\n    }\n  }\n}\n\nmutation Refresh($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresAt\n  }\n}"): (typeof documents)["subscription LiveBalance($afterVersion: String) {\n  balanceChanged(afterVersion: $afterVersion) {\n    version\n    balance\n    held\n    status\n    cause\n    wallet {\n      id\n      balance\n      held\n      version\n      status\n    }\n  }\n}\n\nmutation Refresh($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    refreshToken\n    expiresAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Quote($input: UsageInput!) {\n  quote(input: $input) {\n    amount\n    unit\n    quantity\n  }\n}\n\nmutation Reserve($input: ReserveInput!) {\n  reserveCredits(input: $input) {\n    id\n    status\n    amount\n    expiresAt\n  }\n}\n\nmutation Capture($id: ID!, $quantity: Float, $idempotencyKey: String) {\n  captureHold(id: $id, quantity: $quantity, idempotencyKey: $idempotencyKey) {\n    transaction {\n      id\n      amount\n      walletVersion\n    }\n    wallet {\n      id\n      balance\n      held\n      version\n    }\n    hold {\n      id\n      status\n      captured\n    }\n  }\n}"): (typeof documents)["query Quote($input: UsageInput!) {\n  quote(input: $input) {\n    amount\n    unit\n    quantity\n  }\n}\n\nmutation Reserve($input: ReserveInput!) {\n  reserveCredits(input: $input) {\n    id\n    status\n    amount\n    expiresAt\n  }\n}\n\nmutation Capture($id: ID!, $quantity: Float, $idempotencyKey: String) {\n  captureHold(id: $id, quantity: $quantity, idempotencyKey: $idempotencyKey) {\n    transaction {\n      id\n      amount\n      walletVersion\n    }\n    wallet {\n      id\n      balance\n      held\n      version\n    }\n    hold {\n      id\n      status\n      captured\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;