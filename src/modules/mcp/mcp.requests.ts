import { CallToolRequestSchema, InitializeRequestSchema, ListToolsRequestSchema, PingRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';

/**
 * The requests this server answers, by method, with the SDK's own schemas. The SDK checks a
 * request against them too, but answers a mismatch as -32603 Internal error with the raw list of
 * issues; checked here first, a client fault is -32602 Invalid params saying what is wrong.
 */
const REQUEST_SCHEMAS = new Map<string, z.ZodType>([
  ['initialize', InitializeRequestSchema],
  ['ping', PingRequestSchema],
  ['tools/list', ListToolsRequestSchema],
  ['tools/call', CallToolRequestSchema],
]);

/** "params.arguments: Invalid input: expected record, received array; params.name: ..." */
export const describeIssues = (error: z.ZodError, root = 'arguments'): string => error.issues.map((issue) => `${issue.path.join('.') || root}: ${issue.message}`).join('; ');

/** A JSON-RPC request this server answers whose params do not fit its method. */
export interface InvalidRequest {
  id: string | number | null;
  message: string;
}

/**
 * The first request in a POSTed body (one message or a batch) whose params do not fit its
 * method, or null. Messages that are not requests of these methods are left to the transport.
 * A `tools/call` with `"arguments": null`, which some clients send for a tool without
 * arguments, is read as no arguments.
 */
export function invalidRequestIn(body: unknown): InvalidRequest | null {
  for (const message of Array.isArray(body) ? body : [body]) {
    if (!message || typeof message !== 'object' || !('id' in message)) continue;
    const request = message as { id: unknown; method?: unknown; params?: { arguments?: unknown } };
    const schema = typeof request.method === 'string' ? REQUEST_SCHEMAS.get(request.method) : undefined;
    if (!schema) continue;
    if (request.method === 'tools/call' && request.params?.arguments === null) delete request.params.arguments;
    const parsed = schema.safeParse(request);
    if (parsed.success) continue;
    const id = typeof request.id === 'string' || typeof request.id === 'number' ? request.id : null;
    return { id, message: `Invalid params for ${request.method}: ${describeIssues(parsed.error, 'request')}` };
  }
  return null;
}
