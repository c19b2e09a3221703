import { NoSchemaIntrospectionCustomRule, specifiedRules, type ParseOptions, type ValidationRule } from 'graphql';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { Config } from '../config';

/**
 * The document limits of both transports (HTTP and WebSocket), defined once.
 *
 * The token limit is graphql-js's own `maxTokens` parse option, not graphql-armor's max-tokens
 * plugin: that plugin parses in Apollo's `parsingDidStart`, outside Apollo's parse-error path,
 * so its refusal and every plain syntax error answered HTTP 500 (graphql-armor #571, #605, #751).
 * Through `parseOptions`, a syntax error or a document over the limit is Apollo's ordinary
 * GRAPHQL_PARSE_FAILED: HTTP 400, code BAD_USER_INPUT. Depth, aliases, cost and directives are
 * validation rules: GRAPHQL_VALIDATION_FAILED, HTTP 400.
 */
export function parseOptionsOf(config: Config): ParseOptions {
  return { maxTokens: config.limits.maxTokens };
}

/** graphql-armor for Apollo (HTTP): its validation rules and plugins, without its token plugin. */
export function apolloArmorOf(config: Config) {
  const l = config.limits;
  return new ApolloArmor({
    maxDepth: { n: l.maxDepth },
    maxAliases: { n: l.maxAliases },
    costLimit: { maxCost: l.maxCost },
    maxTokens: { enabled: false }, // parseOptionsOf: see above
    maxDirectives: { n: l.maxDirectives },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}

/**
 * The validation rules of a WebSocket operation: graphql-js's own, graphql-armor's limits
 * with the same settings as HTTP, and introspection refused when it is off (production), as
 * Apollo does on HTTP.
 */
export function socketValidationRules(config: Config): ValidationRule[] {
  const l = config.limits;
  return [
    ...specifiedRules,
    maxDepthRule({ n: l.maxDepth }),
    maxAliasesRule({ n: l.maxAliases }),
    costLimitRule({ maxCost: l.maxCost }),
    maxDirectivesRule({ n: l.maxDirectives }),
    ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
}
