import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `runtime/` directory (Python runners), found from this module (src/images or dist/src/images). */
export function defaultRuntimeDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.split(path.sep).includes('dist') ? '../../..' : '../..';
  return path.resolve(here, up, 'runtime');
}
