import path from 'node:path';
import { defineConfig } from 'vite';

/**
 * Bundles the live-balance snippet for a plain <script> tag: `window.LiveBalance.startLiveBalance`.
 * `vite build --config examples/browser/vite.config.ts` writes dist/examples/browser/live-balance.js.
 */
export default defineConfig({
  logLevel: 'warn',
  build: {
    outDir: path.resolve(__dirname, '../../dist/examples/browser'),
    emptyOutDir: true,
    reportCompressedSize: false,
    lib: { entry: path.resolve(__dirname, 'live-balance.ts'), name: 'LiveBalance', formats: ['iife'], fileName: () => 'live-balance.js' },
  },
});
