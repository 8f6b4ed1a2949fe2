// Loads NRC's upstream manifests where they are handed to us (../shared beside
// the repository), so tests use them as fixtures without copying them in.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const upstreamDir = resolve(
  process.env['READINESS_UPSTREAM_DIR'] ?? join(repoRoot, '..', 'shared', 'upstream', 'node-readiness-controller'),
);

export interface Manifest {
  file: string;
  object: Record<string, unknown>;
}

/** Helm templates are not manifests until rendered: a chart's templates/ folder is skipped. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory())
        return entry === 'templates' && statSync(join(dir, 'Chart.yaml'), { throwIfNoEntry: false }) ? [] : yamlFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });
}

export function loadManifests(subdir = ''): Manifest[] {
  return yamlFiles(join(upstreamDir, subdir)).flatMap((path) =>
    parseAllDocuments(readFileSync(path, 'utf8'))
      .map((document) => document.toJSON() as unknown)
      .filter((object): object is Record<string, unknown> => typeof object === 'object' && object !== null)
      .map((object) => ({ file: relative(upstreamDir, path), object })),
  );
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.object['kind'] === kind);
}
