import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './cluster';
import { freePorts } from './free-port';

/** The Pomelo tutorial's config/servers.json exactly as printed there. */
export const TUTORIAL_SERVERS_FILE = path.join(PROJECT_ROOT, 'test/fixtures/pomelo-tutorial-servers.json');

const PORT = /("(?:port|clientPort)"\s*:\s*)(\d+)/g;

/** The tutorial's file with every port moved to a free one (the same number to the same port) and nothing else changed. */
export async function tutorialServersText(): Promise<string> {
  const text = readFileSync(TUTORIAL_SERVERS_FILE, 'utf8');
  const numbers = [...new Set([...text.matchAll(PORT)].map((m) => m[2]!))];
  const free = await freePorts(numbers.length);
  const moved = new Map(numbers.map((n, i) => [n, String(free[i])]));
  return text.replace(PORT, (_match, key: string, n: string) => `${key}${moved.get(n)}`);
}
