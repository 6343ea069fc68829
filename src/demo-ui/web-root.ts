import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The web client built by `npm run build` (`dist/web`), found from this file: next to the compiled service
 * (`dist/src/demo-ui` → `dist/web`), or from the TypeScript sources the tests run (`src/demo-ui` →
 * `dist/web`). `undefined` when it was not built.
 */
export function findWebRoot(from: string = __dirname): string | undefined {
  const candidates = [join(from, '..', '..', 'web'), join(from, '..', '..', 'dist', 'web')];
  return candidates.find((directory) => existsSync(join(directory, 'index.html')));
}
