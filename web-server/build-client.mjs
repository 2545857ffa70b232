// Builds the browser client into dist/web-server/public: app.js and admin.js (client TypeScript bundled by
// esbuild, wire types shared with the servers) plus index.html, admin.html, their CSS and the icon. Type-checking is tsc's job
// (web-server/client/tsconfig.json), run before this by `npm run build`.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const client = path.join(here, 'client');
const out = path.join(here, '..', 'dist', 'web-server', 'public');

mkdirSync(out, { recursive: true });
// The chat client (app.js) and the admin page (admin.js).
await build({
  entryPoints: { app: path.join(client, 'main.ts'), admin: path.join(client, 'admin.ts') },
  outdir: out,
  bundle: true,
  format: 'iife',
  target: 'es2022',
  platform: 'browser',
  sourcemap: true,
  minify: false,
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css', 'admin.html', 'admin.css', 'favicon.svg'])
  copyFileSync(path.join(client, file), path.join(out, file));
