import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import * as jose from 'jose';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/**
 * The compiled server (`node dist/src/index.js`) in its own process, for the tests that kill it,
 * fork it into a cluster or need the production entry point, rather than the in-process app of
 * helpers/app.ts.
 */

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });

/** A production environment on a free port with fresh signing keys; `extra` adds or overrides variables. */
export async function compiledServerEnv(databaseUrl: string, extra: NodeJS.ProcessEnv = {}): Promise<{ env: NodeJS.ProcessEnv; base: string }> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    JWT_PRIVATE_KEY: await jose.exportPKCS8(privateKey),
    JWT_PUBLIC_KEY: await jose.exportSPKI(publicKey),
    ...extra,
  };
  return { env, base: `http://127.0.0.1:${port}` };
}

export function startCompiledServer(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'src', 'index.js')], { env, stdio: 'ignore' });
}

export async function waitReady(base: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not become ready');
}

/** One GraphQL request with `fetch`; network errors reject (a killed server), GraphQL errors are in the answer. */
export async function postGraphql<Result, Variables>(base: string, doc: TypedDocumentNode<Result, Variables>, variables: Variables, token?: string) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  return (await response.json()) as { data?: Result; errors?: { extensions?: { code?: string } }[] };
}
