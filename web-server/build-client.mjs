// Builds the browser client into dist/web-server/public: app.js (client TypeScript bundled by esbuild,
// wire types shared with the servers) plus index.html and style.css. Type-checking is tsc's job
// (web-server/client/tsconfig.json), run before this by `npm run build`.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const client = path.join(here, 'client');
const out = path.join(here, '..', 'dist', 'web-server', 'public');

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(client, 'main.ts')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  target: 'es2022',
  platform: 'browser',
  sourcemap: true,
  minify: false,
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(path.join(client, file), path.join(out, file));
