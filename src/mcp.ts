import 'reflect-metadata';
import pino from 'pino';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { EmbeddedDatabaseError } from './db/embedded';
import { createMcpServer } from './modules/mcp/mcp.server';
import { isDatabaseUnavailable } from './shared/errors';
import { createLogger } from './shared/logger';

/**
 * `npm run mcp`: the MCP tools over stdio, for an agent that starts this process itself. It
 * acts with the API key in MCP_API_KEY (its scopes limit the tools) on the configured database
 * (DATABASE_URL, or the embedded one of a server running on the same DATA_DIR), through the
 * same services as the HTTP server, without their queue workers (the servers run them).
 * stdout carries the protocol only: logs go to stderr.
 */
async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config, pino.destination(2));
  // The queues (emails, webhooks, auto top-ups) belong to the servers, whose configuration they
  // need; expired holds are released here too, so an agent working with no server running gets
  // its held credits back. Never the owner of the embedded database: the process that starts it
  // stops it on exit.
  const app = await buildApp(config, { logger: log, background: false, expirySweep: true, attachToRunningDatabase: true });
  const authorization = `Bearer ${config.mcpApiKey}`;
  const principal = await app.services.auth.authenticate(authorization);
  if (!principal || principal.via !== 'apiKey') {
    process.stderr.write('MCP_API_KEY is not a valid API key (unknown or revoked): create one with createApiKey\n');
    await app.stop();
    process.exit(2);
  }
  // Each call authenticates the key again (cached), so revoking it ends this agent's access too.
  const server = createMcpServer(app.services, () => app.services.auth.authenticate(authorization));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close().catch(() => undefined);
    await app.stop();
    process.exit(0);
  };
  const transport = new StdioServerTransport();
  transport.onclose = () => void stop();
  await server.connect(transport);
  process.stdin.on('end', () => void stop()); // the agent closed our stdin: it is done with us
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  log.info({ accountId: principal.accountId, scopes: principal.scopes }, 'MCP server on stdio');
}

function configOrExit(): Config & { mcpApiKey: string } {
  try {
    const config = loadConfig();
    if (config.mcpApiKey) return config as Config & { mcpApiKey: string };
    process.stderr.write('MCP_API_KEY is required: the API key (sfk_...) the MCP tools act with\n');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
  }
  process.exit(2);
}

main().catch((err) => {
  if (err instanceof EmbeddedDatabaseError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (isDatabaseUnavailable(err)) {
    process.stderr.write(`The database is unreachable (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): start the server first (npm start), or check DATABASE_URL.\n`);
    process.exit(2);
  }
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
