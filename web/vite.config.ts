/// <reference types="vitest/config" />
// Vite builds the UI into dist/, which the converge binary embeds; `npm run dev` serves it with /api proxied
// to a running server (CONVERGE_URL, default http://127.0.0.1:8080).
import { fileURLToPath, URL } from 'node:url';

import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: process.env.CONVERGE_WEB_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    // Hashed names under /assets are cached for a year by the server; index.html never is.
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: true,
    // recharts alone is ~420 kB minified (118 kB gzip); it loads only with the pages that draw charts.
    chunkSizeWarningLimit: 450,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.CONVERGE_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
