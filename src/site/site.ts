import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import express, { type Express } from 'express';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { landingPage } from './landing';

/**
 * The pages a person meets: the landing page at `/`, the GraphiQL explorer at `GET /graphql` for
 * browsers (its assets under /explorer/, built from web/explorer by `npm run build`; nothing is
 * loaded from a CDN), the emitted SDL and the partner docs. Everything is served from this
 * process, so it works offline.
 */

/** Where the explorer's build lands, whether this file runs compiled (dist/src/site) or from source (src/site). */
export function explorerDir(): string {
  const candidates = [path.resolve(__dirname, '..', '..', 'explorer'), path.resolve(__dirname, '..', '..', 'dist', 'explorer')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? candidates[0];
}

/** The repository root (docs/, schema/, CHANGELOG.md), compiled or from source. */
function projectRoot(): string {
  const candidates = [path.resolve(__dirname, '..', '..'), path.resolve(__dirname, '..', '..', '..')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'schema', 'schema.graphql'))) ?? candidates[0];
}

/**
 * Documents served as plain text at the same path as in the repository, so the partner guide's
 * relative links resolve: the README, the changelog, the codegen configuration and the two
 * examples it points to. The SDL only where introspection is on: turning introspection off means
 * this server does not hand out its schema.
 */
export function publicDocs(config: Config): string[] {
  return [...PARTNER_DOCS, ...(config.introspection ? ['schema/schema.graphql'] : [])];
}

const PARTNER_DOCS = [
  'docs/partners.md',
  'README.md',
  'CHANGELOG.md',
  'codegen.yml',
  'examples/partner/render-job.ts',
  'examples/partner/operations.graphql',
  'examples/browser/live-balance.ts',
  'examples/browser/operations.graphql',
];

/** A browser navigating to /graphql (not a GraphQL client, which asks for JSON). */
export function wantsExplorer(req: http.IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

/** Answers a browser's GET /graphql with the explorer page (or says how to build it). */
export function explorerPage(log: Logger): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const file = path.join(explorerDir(), 'index.html');
  return (req, res) => {
    fs.readFile(file, (err, html) => {
      if (err) {
        log.warn({ file }, 'explorer requested but not built');
        const text = 'The explorer is not built: run `npm run build` (it builds web/explorer into dist/explorer).\n';
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': html.length,
        'cache-control': 'no-cache',
        vary: 'Accept',
        // It keeps a bearer token and can run any mutation: no other site may frame it (clickjacking).
        'content-security-policy': "frame-ancestors 'none'",
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : html);
    });
  };
}

/** Express routes: `/`, the explorer's assets, and the public documents. */
export function registerSiteRoutes(app: Express, config: Config): void {
  const root = projectRoot();
  app.get('/', (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(landingPage({ explorer: config.explorer, priceBook: config.priceBook, docs: publicDocs(config) }));
  });
  if (config.explorer) {
    // File names carry a content hash: cache them for a year.
    app.use('/explorer', express.static(explorerDir(), { index: false, immutable: true, maxAge: '365d' }));
  }
  for (const doc of publicDocs(config)) {
    app.get(`/${doc}`, (_req, res) => {
      res.setHeader('cache-control', 'no-cache');
      res.type('text/plain; charset=utf-8').sendFile(path.join(root, doc), (err) => {
        if (err && !res.headersSent) res.status(404).type('text/plain').send('Not found\n');
      });
    });
  }
}
