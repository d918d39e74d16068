/**
 * Vite configuration of the web application. `npm run build:web` writes web/dist (served by
 * src/platform/http/web-app.ts); `npm run dev:web` serves web/ with hot reload and proxies the
 * API (HTTP and the collaboration WebSocket) to BF_API_URL (default http://127.0.0.1:3000).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.BF_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: Number(process.env.WEB_DEV_PORT ?? 5173),
    strictPort: false,
    proxy: {
      '/api': { target: api, changeOrigin: false, ws: true },
      '/docs': { target: api },
      '/health': { target: api },
      '/ready': { target: api },
    },
  },
});
