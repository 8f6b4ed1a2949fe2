// Cold start of the single executable's --help against kubectl version
// --client, measured side by side: alternating runs, median and min-max, and
// the ratio of medians. Needs `npm run release:build` and the cluster build.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './measure.ts';
import { scratchDir } from '../scratch.ts';

const root = join(import.meta.dirname, '..', '..');
const runs = Number(process.argv[2] ?? 21);
const dir = scratchDir('cold-start-');
spawnSync('tar', ['-xzf', join(root, 'dist', 'release', 'kubectl-readiness-v0.1.0-linux-amd64.tar.gz'), '-C', dir]);
const subjects = {
  'kubectl readiness --help (single executable)': [join(dir, 'kubectl-readiness'), '--help'],
  'kubectl version --client': [join(root, 'test', 'cluster', 'bin', 'kubectl'), 'version', '--client'],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let run = 0; run < runs; run++) {
  for (const [name, [command, ...args]] of Object.entries(subjects)) {
    const started = performance.now();
    const result = spawnSync(command!, args, { stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
    times[name]!.push(performance.now() - started);
  }
}
const [ours, theirs] = Object.values(times).map(median);
console.log(`| command | median ms | min-max ms |\n|---|---|---|`);
for (const [name, values] of Object.entries(times))
  console.log(`| ${name} | ${median(values).toFixed(0)} | ${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)} |`);
console.log(
  `\nratio of medians: ${(ours! / theirs!).toFixed(2)}x over ${runs} alternating runs each; executable ${(statSync(subjects['kubectl readiness --help (single executable)'][0]!).size / 1e6).toFixed(1)} MB`,
);
