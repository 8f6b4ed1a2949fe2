// kubeconfig loading with kubectl's rules, which client-node's own loader does
// not follow: with several KUBECONFIG files the first file to define a name
// wins (no error on duplicates), as does the first current-context; relative
// paths resolve against the file that holds them. --context, --cluster and
// --user then override, and client-node takes the merged result.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { CliError } from './errors.ts';

export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
}

type Named = { name?: unknown; [key: string]: unknown };
interface RawConfig {
  clusters: Named[];
  users: Named[];
  contexts: Named[];
  'current-context'?: string;
}

const PATH_FIELDS: Record<'cluster' | 'user', string[]> = {
  cluster: ['certificate-authority'],
  user: ['client-certificate', 'client-key', 'tokenFile'],
};

function kubeconfigPaths(flag: string | undefined): string[] {
  if (flag) return [flag];
  const fromEnv = (process.env['KUBECONFIG'] ?? '').split(delimiter).filter(Boolean);
  if (fromEnv.length > 0) return fromEnv;
  return [join(homedir(), '.kube', 'config')];
}

function readOne(path: string, explicit: boolean): RawConfig | null {
  if (!existsSync(path)) {
    if (explicit) throw new CliError(`kubeconfig ${path} does not exist`);
    return null;
  }
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`kubeconfig ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (document === null || document === undefined) return { clusters: [], users: [], contexts: [] };
  if (typeof document !== 'object' || Array.isArray(document))
    throw new CliError(`kubeconfig ${path} is not a kubeconfig (expected a mapping)`);
  const raw = document as Record<string, unknown>;
  if (raw['apiVersion'] !== undefined && raw['apiVersion'] !== 'v1') {
    throw new CliError(`kubeconfig ${path} has apiVersion ${JSON.stringify(raw['apiVersion'])}; only v1 is supported`);
  }
  const base = dirname(resolve(path));
  const list = (key: 'clusters' | 'users' | 'contexts', inner: 'cluster' | 'user' | 'context'): Named[] =>
    (Array.isArray(raw[key]) ? (raw[key] as Named[]) : []).map((entry) => {
      const body = { ...((entry?.[inner] as Record<string, unknown>) ?? {}) };
      if (inner !== 'context') {
        for (const field of PATH_FIELDS[inner]) {
          const value = body[field];
          if (typeof value === 'string' && value !== '' && !isAbsolute(value)) body[field] = join(base, value);
        }
      }
      return { ...entry, [inner]: body };
    });
  const current = raw['current-context'];
  return {
    clusters: list('clusters', 'cluster'),
    users: list('users', 'user'),
    contexts: list('contexts', 'context'),
    ...(typeof current === 'string' && current !== '' ? { 'current-context': current } : {}),
  };
}

function mergeFirstWins(configs: RawConfig[]): RawConfig {
  const merged: RawConfig = { clusters: [], users: [], contexts: [] };
  for (const config of configs) {
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of config[key]) {
        if (!merged[key].some((existing) => existing.name === entry.name)) merged[key].push(entry);
      }
    }
    merged['current-context'] ??= config['current-context'];
  }
  return merged;
}

export interface LoadedConfig {
  kubeConfig: KubeConfig;
  contextName: string;
  namespace: string;
}

export function loadKubeConfig(flags: ConnectionFlags): LoadedConfig {
  const paths = kubeconfigPaths(flags.kubeconfig);
  const configs = paths
    .map((path) => readOne(path, flags.kubeconfig !== undefined || paths.length === 1))
    .filter((config): config is RawConfig => config !== null);
  const merged = mergeFirstWins(configs);
  const contextName = flags.context ?? merged['current-context'];
  if (!contextName) throw new CliError(`no current context in ${paths.join(delimiter)}; pass --context`);
  const context = merged.contexts.find((entry) => entry.name === contextName);
  if (!context) throw new CliError(`context "${contextName}" does not exist in ${paths.join(delimiter)}`);
  const body = { ...(context['context'] as Record<string, unknown>) };
  if (flags.cluster) body['cluster'] = flags.cluster;
  if (flags.user) body['user'] = flags.user;
  if (!merged.clusters.some((entry) => entry.name === body['cluster']))
    throw new CliError(`cluster "${String(body['cluster'] ?? '')}" does not exist`);
  if (!merged.users.some((entry) => entry.name === body['user'])) throw new CliError(`user "${String(body['user'] ?? '')}" does not exist`);
  const effective = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: merged.clusters,
    users: merged.users,
    contexts: [{ name: contextName, context: body }],
    'current-context': contextName,
  };
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(stringify(effective));
  } catch (error) {
    throw new CliError(`kubeconfig: ${(error as Error).message}`);
  }
  return {
    kubeConfig,
    contextName,
    namespace: typeof body['namespace'] === 'string' && body['namespace'] !== '' ? body['namespace'] : 'default',
  };
}
