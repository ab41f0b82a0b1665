/**
 * Builds the web app into dist/: index.html (served no-cache), and
 * content-hashed files under assets/ (served immutable). No inline scripts
 * or styles and no data: URLs, so the hub's Content-Security-Policy can
 * allow 'self' alone. `npm run dev -w @next-chat/web` serves the app with
 * /next-chat proxied to a hub on localhost:5000.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { INITIAL_JS_BUDGET_BYTES, kb, measureInitialLoad } from './build/initial-load.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Prints the initial JavaScript, gzipped, and fails the build past the budget. */
function initialLoadBudget(): Plugin {
  let outDir = '';
  return {
    name: 'next-chat-initial-load',
    apply: 'build',
    configResolved(c) {
      outDir = path.resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      const load = measureInitialLoad(outDir);
      const list = load.files.map((f) => `${f.file} ${kb(f.gzipBytes)}`).join(', ');
      process.stdout.write(`web: initial JavaScript ${kb(load.gzipBytes)} gzipped (budget ${kb(INITIAL_JS_BUDGET_BYTES)}): ${list}\n`);
      if (load.gzipBytes > INITIAL_JS_BUDGET_BYTES) {
        throw new Error(`the initial JavaScript is ${kb(load.gzipBytes)} gzipped, over the budget of ${kb(INITIAL_JS_BUDGET_BYTES)}`);
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  resolve: {
    alias: {
      // The SDK imports `ws` lazily, only in Node; a browser never loads it.
      ws: path.join(here, 'src/sdk/no-ws.ts'),
    },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every asset a file of its own: CSP allows no data: URLs.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/next-chat': { target: 'ws://localhost:5000', ws: true } },
  },
  plugins: [initialLoadBudget()],
});
