import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode as McpErrorCode, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { badInput, publicError, unauthenticated, type PublicError } from '../../shared/errors';
import type { Services } from '../../services';
import type { Principal } from '../auth/auth.service';
import { assertAnyScope } from '../auth/context';
import { describeIssues } from './mcp.requests';
import { TOOLS, type ToolDefinition } from './mcp.tools';

/**
 * One MCP server (the SDK's low-level `Server`) over the tools of mcp.tools.ts, for one
 * transport: per request on `POST /mcp` (stateless), or for the life of the stdio process.
 *
 * Every call resolves its caller again (`principalOf`), so a revoked API key stops working at
 * once; refusals and failures are tool results with `isError` whose JSON carries the contract
 * code, exactly as GraphQL's `extensions.code` would (shared/errors.ts).
 */

export const SERVER_INFO = { name: 'synfluencer-credits', version: '1.0.0' };

const INSTRUCTIONS =
  'Credits for an AI-influencer studio. Every AI action costs credits from one wallet per account. ' +
  'Check price_book or quote first; charge_usage charges a finished action; for work whose size is known only at its end ' +
  '(video by the second), reserve_credits before starting, then capture_hold with the actual usage or release_hold. ' +
  'Always send an idempotencyKey per job: a retry with the same key never charges twice. Credits are decimal strings.';

const byName = new Map(TOOLS.map((tool) => [tool.name, tool]));

/** A tool as tools/list describes it: its input schema as JSON Schema, with every description. */
function listed(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { target: 'draft-7', io: 'input' }) as Tool['inputSchema'],
    annotations: { title: tool.title, ...tool.annotations },
  };
}

const success = (value: Record<string, unknown>): CallToolResult => ({ content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value });

const failure = (error: PublicError): CallToolResult => {
  const value = { error };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
};

export function createMcpServer(services: Services, principalOf: () => Promise<Principal | null>): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const errorOptions = { exposeInternals: services.config.nodeEnv === 'development', log: (err: unknown) => services.log.error({ err }, 'MCP tool failed') };

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS.map(listed) }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = byName.get(request.params.name);
    // A plain error with the code: McpError would put "MCP error -32602:" in the text, and the SDK's client adds it again.
    if (!tool) throw Object.assign(new Error(`Unknown tool "${request.params.name}"; tools: ${TOOLS.map((known) => known.name).join(', ')}`), { code: McpErrorCode.InvalidParams });
    try {
      const principal = await principalOf();
      if (!principal) throw unauthenticated('The API key is not valid (revoked or unknown)');
      if (tool.scopes.length > 0) assertAnyScope(principal, tool.scopes);
      const args = tool.input.safeParse(request.params.arguments ?? {});
      if (!args.success) throw badInput(`Invalid arguments for ${tool.name}: ${describeIssues(args.error)}`);
      return success(await tool.run({ services, principal }, args.data));
    } catch (error) {
      return failure(publicError(error, errorOptions));
    }
  });
  return server;
}
