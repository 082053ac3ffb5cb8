// Vite builds the app into dist/, which festival-chat-server serves.
import { defineConfig } from "vitest/config";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2020", sourcemap: true },
  server: {
    // `npm run dev` talks to a signaling server on :3000 by default.
    proxy: { "/socket.io": { target: "http://127.0.0.1:3000", ws: true } },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
