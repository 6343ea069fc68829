import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// Static checks of the repository itself: what a newcomer reads must be in it.
const ROOT = resolve(__dirname, '..');
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', 'data', '.git', 'tmp']);
const TEXT = /\.(ts|js|mjs|json|md|ya?ml|conf|example|sh)$|^(Dockerfile|Caddyfile|run)$/;

function textFiles(directory = ROOT): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (SKIPPED.has(name) || name === 'package-lock.json') return [];
    if (statSync(path).isDirectory()) return textFiles(path);
    return TEXT.test(name) ? [path] : [];
  });
}

describe('the repository carries its own documentation', () => {
  // This spec names what it looks for, so it is the one file left out.
  const files = textFiles().filter((file) => file !== __filename);

  it('finds the files it checks', () => {
    expect(files.map((file) => relative(ROOT, file))).toEqual(
      expect.arrayContaining(['README.md', 'docs/api.md', 'src/main.ts', '.env.example']),
    );
  });

  it.each(['API.md', 'UPSTREAM.md', 'SECURITY.md', 'STYLE.md', 'ARCHITECTURE.md'])(
    'mentions %s only if the repository holds it',
    (name) => {
      const mentions = files.filter((file) => readFileSync(file, 'utf8').includes(name));
      const held = files.some((file) => file.endsWith(`/${name}`));

      expect(held ? [] : mentions.map((file) => relative(ROOT, file))).toEqual([]);
    },
  );

  it('never points outside the repository', () => {
    const outside = files.filter((file) => /\.\.\/shared|\/work\/shared/.test(readFileSync(file, 'utf8')));

    expect(outside.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('links only to files that exist, from the README and docs/', () => {
    const documents = files.filter((file) => file.endsWith('.md'));
    const broken = documents.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
        .map((match) => match[1])
        .filter((target) => !/^[a-z]+:/.test(target))
        .filter((target) => !existsSync(resolve(dirname(file), target)))
        .map((target) => `${relative(ROOT, file)} -> ${target}`),
    );

    expect(broken).toEqual([]);
  });
});
