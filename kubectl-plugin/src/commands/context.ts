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
  /** Milliseconds; 0 waits forever. */
  requestTimeout: number;
  output?: string;
  color: boolean;
  verbose: number;
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

/** -v as klog takes it: a whole number, checked with the other flags. */
export function parseVerbosity(value: string): number {
  const level = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(level)) throw new CliError(`invalid -v "${value}": use a level from 0 to 10`);
  return level;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Node and rule names are DNS subdomains; anything else could only ever be "not found" after a request. */
export function checkObjectName(what: string, name: string): void {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
    throw new CliError(`invalid ${what} "${name}": a name is lowercase letters, digits, '-' and '.', at most 253 characters`);
}
