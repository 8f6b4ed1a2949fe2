// Wall time and peak RSS of a child process, measured side by side with others:
// alternating runs, median and min-max, ratios of medians.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** python3's getrusage(RUSAGE_CHILDREN) gives the child's peak RSS without extra packages. */
const PROBE = `import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(f"{(time.perf_counter() - started) * 1000:.1f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {code}")`;

export interface Sample {
  ms: number;
  rssKb: number;
}

export function measureOnce(command: string[], env: NodeJS.ProcessEnv = process.env): Sample {
  const probe = spawnSync('python3', ['-c', PROBE, ...command], { encoding: 'utf8', env });
  const [ms, rssKb, code] = probe.stdout.trim().split(' ').map(Number);
  if (probe.status !== 0 || code !== 0) throw new Error(`${command.join(' ')} failed (exit ${code}): ${probe.stderr}`);
  return { ms: ms!, rssKb: rssKb! };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Where the median of what was sampled lies, from the samples alone: the
 * order statistics j and n-1-j (0-based) hold it with probability
 * 1 - 2·P(X ≤ j), X ~ Binomial(n, ½), so no shape is assumed for a noisy
 * machine's times. The narrowest such pair that reaches `confidence`, and its
 * coverage; with fewer than six samples no pair does, and min-max is given
 * with the coverage it has.
 */
export function medianInterval(values: number[], confidence = 0.95): { low: number; high: number; coverage: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let lower = 0;
  let coverage = 1 - 2 * 0.5 ** n;
  let probability = 0.5 ** n;
  let cumulative = 0;
  for (let j = 0; j < n / 2; j++) {
    cumulative += probability;
    if (1 - 2 * cumulative < confidence) break;
    lower = j;
    coverage = 1 - 2 * cumulative;
    probability = (probability * (n - j)) / (j + 1);
  }
  return { low: sorted[lower]!, high: sorted[n - 1 - lower]!, coverage };
}

/** Runs every subject once per round, in turn, for `rounds` rounds. */
export function sideBySide(subjects: Record<string, string[]>, rounds: number, env?: NodeJS.ProcessEnv): Record<string, Sample[]> {
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++)
    for (const [name, command] of Object.entries(subjects)) samples[name]!.push(measureOnce(command, env));
  return samples;
}

export function summaryRow(name: string, samples: Sample[], baseline: Sample[]): string {
  const ms = samples.map((sample) => sample.ms);
  const mb = samples.map((sample) => sample.rssKb / 1024);
  const ratio = (mine: number[], theirs: number[]) => (median(mine) / median(theirs)).toFixed(2);
  return `| ${name} | ${median(ms).toFixed(0)} (${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)}) | ${ratio(
    ms,
    baseline.map((sample) => sample.ms),
  )}× | ${median(mb).toFixed(0)} (${Math.min(...mb).toFixed(0)}-${Math.max(...mb).toFixed(0)}) | ${ratio(
    mb,
    baseline.map((sample) => sample.rssKb / 1024),
  )}× |`;
}

export interface ProcessUsage {
  cpuMs: number;
  rssMb: number;
}

/** A running process's CPU time so far and its resident memory, from /proc. */
export function processUsage(pid: number): ProcessUsage {
  const clockTicksPerSecond = 100;
  // Fields after the command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { cpuMs: (ticks * 1000) / clockTicksPerSecond, rssMb: rssKb / 1024 };
}
