import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/**
 * A new directory under the system's temp dir, removed when the process exits.
 * Each test file runs in a process of its own, so what it unpacks, builds or
 * writes for one run (plugins directories, kubeconfigs, krew roots) goes with it.
 */
export function scratchDir(prefix: string): string {
  if (made.size === 0) process.once('exit', removeScratch);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

function removeScratch(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
}
