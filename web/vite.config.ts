import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The API `npm run dev` proxies to (start it with `npm start` in another terminal). */
const api = process.env.DASHBOARD_API ?? 'http://localhost:4000';

/**
 * The dashboard: built into dist/web, which the API server serves at /app/ (src/shared/web-app.ts).
 * `npm run dev` serves the same base with hot reload and forwards the API routes, so the page
 * talks to one origin in development exactly as in production.
 */
export default defineConfig({
  root: here,
  base: '/app/',
  plugins: [react()],
  // Only the dashboard's page is scanned for dependencies to pre-bundle: the explorer page under
  // web/explorer/ imports GraphiQL's Monaco workers (?worker), which the dev pre-bundler cannot
  // load, and `npm run dev` stopped on its first run.
  optimizeDeps: { entries: ['index.html'] },
  build: {
    outDir: path.join(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '/exports': { target: api, changeOrigin: true },
      '/webhooks': { target: api, changeOrigin: true },
      '/healthz': { target: api, changeOrigin: true },
      '/readyz': { target: api, changeOrigin: true },
    },
  },
});
