import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where `npm run build` puts the web client, relative to the package root. */
export const WEB_BUILD_DIR = join('dist', 'web');

/**
 * The built web client, found from the package root so that the compiled service (`dist/src/...`) and the
 * TypeScript sources run by the tests (`src/...`) serve the same files. `undefined` when it was not built.
 */
export function findWebRoot(from: string = __dirname): string | undefined {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) {
      const webRoot = join(directory, WEB_BUILD_DIR);
      return existsSync(join(webRoot, 'index.html')) ? webRoot : undefined;
    }
    if (dirname(directory) === directory) return undefined;
  }
}
