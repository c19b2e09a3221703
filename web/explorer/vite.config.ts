import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The GraphiQL explorer, bundled with its Monaco editor workers so the server serves every
 * asset itself (no CDN): `vite build --config web/explorer/vite.config.ts` writes dist/explorer,
 * which the API serves at GET /graphql (index.html, for browsers) and /explorer/ (assets).
 */
export default defineConfig({
  root: __dirname,
  base: '/explorer/',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    outDir: path.resolve(__dirname, '../../dist/explorer'),
    emptyOutDir: true,
    // Monaco is large by nature; the explorer is a tool page, not the dashboard.
    chunkSizeWarningLimit: 6000,
    reportCompressedSize: false,
    rollupOptions: {
      // GraphiQL's React-compiler output starts modules with "use no memo"; bundling drops it harmlessly.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  logLevel: 'warn',
});
