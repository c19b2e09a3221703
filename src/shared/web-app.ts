import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Response } from 'express';
import { DomainError, ErrorCode } from './errors';
import { sendJsonError } from './http';
import type { Logger } from './logger';

/** Where the dashboard is served. Vite builds it with the same base (web/vite.config.ts). */
export const DASHBOARD_BASE = '/app/';

/**
 * Hashed file names change with their content, so a year-long cache is safe; index.html
 * names the current hashes and must be revalidated on every load.
 */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * The dashboard only talks to this origin (GraphQL over HTTP and WebSocket, the CSV export,
 * and Stripe by full-page navigation), so everything else is refused.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function setDashboardHeaders(res: Response, filePath: string): void {
  res.setHeader('cache-control', filePath.includes(`${path.sep}assets${path.sep}`) ? IMMUTABLE : REVALIDATE);
  res.setHeader('x-content-type-options', 'nosniff');
}

/**
 * Serves the built dashboard (dist/web) at /app/: static files, and index.html for every
 * client-side route (a path without a file extension), so a reload on /app/messages works.
 * A missing asset stays a 404: answering index.html for a .js file would hide a stale deploy.
 */
export function registerDashboard(app: Express, webDir: string, log: Logger): void {
  const indexFile = path.join(webDir, 'index.html');
  if (!fs.existsSync(indexFile)) log.warn({ webDir }, 'dashboard not built (npm run build): /app/ answers 404');

  // Express matches "/app/" here too (non-strict routing): only the bare path is redirected.
  app.get('/app', (req, res, next) => {
    if (req.originalUrl.startsWith(DASHBOARD_BASE)) return next();
    const queryAt = req.originalUrl.indexOf('?');
    res.redirect(301, DASHBOARD_BASE + (queryAt < 0 ? '' : req.originalUrl.slice(queryAt)));
  });
  app.use(DASHBOARD_BASE, (_req, res, next) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('referrer-policy', 'same-origin');
    next();
  });
  app.use(DASHBOARD_BASE, express.static(webDir, { index: false, fallthrough: true, setHeaders: setDashboardHeaders }));
  app.get(`${DASHBOARD_BASE}{*route}`, (req, res) => {
    const built = fs.existsSync(indexFile);
    if (path.extname(req.path) !== '' || !built) {
      // The JSON error every other route answers (http.ts), not a page.
      sendJsonError(res, new DomainError(ErrorCode.NOT_FOUND, built ? 'No such file' : 'The dashboard is not built: run npm run build'));
      return;
    }
    setDashboardHeaders(res, indexFile);
    res.sendFile(indexFile);
  });
}
