/**
 * The docs as a reader meets them: every relative link of README.md and docs/*.md leads to a file (and its
 * #anchor to a heading there), and every command in a ```sh block of README.md exists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const DOCS = ['README.md', 'CHANGELOG.md', ...readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter(
  (f) => f.endsWith('.md') && existsSync(path.join(ROOT, f)),
);

/** npm's own commands that a README may show without a script of that name. */
const NPM_BUILTINS = new Set(['install', 'i', 'ci', 'test', 'start', 'stop', 'restart']);
/** Programs a README may show that are neither npm scripts nor in node_modules/.bin. */
const KNOWN_TOOLS = new Set(['pm2', 'node', 'git', 'redis-server', 'apt-get', 'sudo', 'curl', 'cd', 'time', 'kill', 'echo', 'export']);

/** The text outside fenced code blocks, and the fenced blocks with their language. */
function split(markdown: string): { prose: string; blocks: { lang: string; body: string }[] } {
  const blocks: { lang: string; body: string }[] = [];
  const prose = markdown.replace(/^```(\S*)[^\n]*\n([\s\S]*?)^```\s*$/gm, (_all, lang: string, body: string) => {
    blocks.push({ lang, body });
    return '';
  });
  return { prose, blocks };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of split(markdown).prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Relative link targets of a page's prose (inline code left out): `[text](target)`. */
function relativeLinks(markdown: string): string[] {
  const prose = split(markdown).prose.replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** What is wrong with one link of `file`, or undefined when it resolves. */
export function brokenLink(file: string, target: string, root = ROOT): string | undefined {
  const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
  const linked = rawPath === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), decodeURI(rawPath));
  if (!existsSync(linked)) return `${file}: (${target}): no file ${path.relative(root, linked)}`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(linked).isDirectory() || !linked.endsWith('.md')) return `${file}: (${target}): an anchor into a file that has no headings`;
  if (!anchors(readFileSync(linked, 'utf8')).has(anchor))
    return `${file}: (${target}): no heading #${anchor} in ${path.relative(root, linked)}`;
  return undefined;
}

/** The commands of a ```sh block, one per simple command: `a && b | c; d` gives a, b, c, d. */
export function commandsOf(block: string): string[][] {
  const lines = block.replace(/\\\n/g, ' ').split('\n');
  return lines.flatMap((line) =>
    line
      .replace(/^\s*\$\s+/, '')
      .replace(/(^|\s)#.*$/, '')
      .split(/&&|\|\||[;|&]/)
      .map((part) => part.trim().split(/\s+/).filter(Boolean))
      // `FOO=bar cmd` runs cmd; a line of assignments alone runs nothing.
      .map((words) => words.slice(words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w))))
      .filter((words) => words.length > 0 && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)),
  );
}

/** What is wrong with one command, or undefined when it exists. */
export function missingCommand(words: string[], scripts: Record<string, string>, root = ROOT): string | undefined {
  const [program, ...args] = words as [string, ...string[]];
  const shown = words.join(' ');
  const operands = args.filter((a) => !a.startsWith('-'));
  if (program === 'npm') {
    const [verb, script] = operands;
    if (verb === 'run' || verb === 'run-script') {
      return script !== undefined && script in scripts ? undefined : `${shown}: no script "${script}" in package.json`;
    }
    return verb !== undefined && (verb in scripts || NPM_BUILTINS.has(verb)) ? undefined : `${shown}: not an npm script or built-in`;
  }
  if (program === 'npx') {
    const bin = operands[0];
    return bin !== undefined && existsSync(path.join(root, 'node_modules/.bin', bin))
      ? undefined
      : `${shown}: no ${bin} in node_modules/.bin`;
  }
  return KNOWN_TOOLS.has(program) ? undefined : `${shown}: "${program}" is neither npm, npx nor a known tool`;
}

describe('the docs', () => {
  it('are README.md and the pages under docs/', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'docs/PROTOCOL.md', 'docs/delivery.md', 'docs/operations.md']));
  });

  it.each(DOCS)('%s: every relative link leads to a file, and every #anchor to a heading in it', (file) => {
    const links = relativeLinks(readFileSync(path.join(ROOT, file), 'utf8'));
    expect(links.map((target) => brokenLink(file, target)).filter(Boolean)).toEqual([]);
  });

  it('README.md: every command in a sh block is an npm script or built-in, a binary in node_modules/.bin, or a known tool', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const blocks = split(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).blocks.filter((b) => b.lang === 'sh');
    const commands = blocks.flatMap((b) => commandsOf(b.body));
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.map((words) => missingCommand(words, scripts)).filter(Boolean)).toEqual([]);
  });
});

describe('the docs check itself', () => {
  it('splits a sh line into its commands, leaving out comments and assignments', () => {
    expect(commandsOf('npm install && npm start     # installs, builds\nFOO=1 npx pm2 ls | head; BAR=2\n')).toEqual([
      ['npm', 'install'],
      ['npm', 'start'],
      ['npx', 'pm2', 'ls'],
      ['head'],
    ]);
  });

  it('refuses an npm script that package.json lacks, a bin that is not installed and an unknown program', () => {
    const scripts = { start: 'x', status: 'y' };
    expect(missingCommand(['npm', 'run', 'status'], scripts)).toBeUndefined();
    expect(missingCommand(['npm', 'run', '--silent', 'status', '--', '--json'], scripts)).toBeUndefined();
    expect(missingCommand(['npm', 'install'], scripts)).toBeUndefined();
    expect(missingCommand(['npm', 'run', 'statu'], scripts)).toMatch(/no script "statu"/);
    expect(missingCommand(['npm', 'deploy'], scripts)).toMatch(/not an npm script/);
    expect(missingCommand(['npx', 'pm2', 'ls'], scripts)).toBeUndefined();
    expect(missingCommand(['npx', 'no-such-bin'], scripts)).toMatch(/no no-such-bin/);
    expect(missingCommand(['make', 'all'], scripts)).toMatch(/known tool/);
  });

  it('refuses a link to a missing file or heading', () => {
    expect(brokenLink('README.md', 'docs/delivery.md#how')).toBeUndefined();
    expect(brokenLink('docs/scaling.md', '../README.md#run-it')).toBeUndefined();
    expect(brokenLink('README.md', 'docs/no-such-page.md')).toMatch(/no file docs\/no-such-page.md/);
    expect(brokenLink('README.md', 'docs/delivery.md#no-such-heading')).toMatch(/no heading #no-such-heading/);
  });
});
