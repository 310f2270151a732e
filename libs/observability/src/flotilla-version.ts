import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in the repository's package.json, found from this file whether run from src or dist. */
export const FLOTILLA_VERSION: string = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'flotilla' && manifest.version) return manifest.version;
    } catch {
      // keep walking up
    }
  }
  return '0.0.0-unknown';
})();
