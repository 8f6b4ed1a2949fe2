// What every command gets from main: the parsed global flags, the streams,
// and a connection made only when the command talks to a cluster.
import type { ClusterReader } from '@kubectl-readiness/shared';
import type { Command } from 'commander';
import type { ApiClient } from '../client.ts';
import { CliError } from '../errors.ts';
import type { Io, Streams } from '../io.ts';

/** kubectl's global flags, as commander parses them. */
export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  as?: string;
  asGroup: string[];
  requestTimeout: string;
  output?: string;
  color: boolean;
  verbose: string;
}

export interface Connection {
  client: ApiClient;
  reader: ClusterReader;
  /** -n, else the kubeconfig context's namespace. */
  namespace: string;
}

export interface CommandContext {
  streams: Streams;
  flags(command: Command): GlobalFlags;
  io(flags: GlobalFlags): Io;
  connect(flags: GlobalFlags): Promise<Connection>;
  /** Records the command's exit code. */
  exit(code: number): void;
  /** A watch ends cleanly on Ctrl-C instead of as an interrupted report. */
  watching(): void;
}

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** kubectl's --request-timeout: "0" (none), a bare number of seconds, or a duration like 30s, 2m, 1h. */
export function parseTimeout(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new CliError(`invalid --request-timeout "${value}": use a duration such as 30s or 1m`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** A positive duration flag, in whole seconds. */
export function parseSeconds(flag: string) {
  return (value: string): number => {
    const ms = parseTimeout(value);
    if (ms <= 0) throw new CliError(`invalid ${flag} "${value}"`);
    return Math.round(ms / 1000);
  };
}
