/**
 * `npm stop`: deletes this checkout's apps from pm2, by what pm2 itself knows of them (`pm2 jlist`), so that
 * stopping never depends on `.env` or servers.json being valid; `pm2 delete ecosystem.config.js` loaded and
 * checked both first, and refused to stop a running cluster once either had an error.
 */
import path from 'node:path';
import { projectRoot } from '../project-root';
import { pm2 } from './pm2-cli';

interface JlistEntry {
  name: string;
  pm_id: number;
  pm2_env?: { pm_cwd?: string; pm_exec_path?: string };
}

/** The apps of `pm2 jlist` output that belong to the checkout at `root`: run from it, or a script inside it. */
export function appsOf(jlist: string, root: string): { name: string; id: number }[] {
  const inside = (file: string | undefined): boolean => file !== undefined && path.resolve(file).startsWith(root + path.sep);
  return (JSON.parse(jlist) as JlistEntry[])
    .filter((p) => p.pm2_env?.pm_cwd === root || inside(p.pm2_env?.pm_exec_path))
    .map((p) => ({ name: p.name, id: p.pm_id }));
}

async function main(): Promise<void> {
  const root = projectRoot();
  const apps = appsOf(await pm2('jlist'), root);
  if (apps.length === 0) {
    console.log(`nothing to stop: pm2 runs no app of ${root}`);
    return;
  }
  // By pm2 id: names may repeat in one daemon (another checkout's cluster), ids never do.
  await pm2('delete', ...apps.map((a) => String(a.id)));
  console.log(`stopped: ${apps.map((a) => a.name).join(', ')}`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`npm stop: ${err.message}`);
    process.exit(1);
  });
}
