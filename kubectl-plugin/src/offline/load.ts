// Manifests for offline verify, read as `kubectl apply -f` reads them: files,
// directories (their .yaml, .yml and .json files; -R to recurse) and - for
// stdin, multi-document YAML and List objects. Every object keeps its file and
// line, so findings can point at the binding or role behind them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isSeq, type Node } from 'yaml';
import { CliError } from '../errors.ts';

export interface Located {
  object: Record<string, unknown>;
  file: string;
  line: number;
}

const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/;

/** The kinds of the API groups verify reads, so a misspelt one is caught rather than silently ignored. */
const KNOWN_KINDS: Record<string, Set<string>> = {
  v1: new Set([
    'Binding',
    'ConfigMap',
    'Endpoints',
    'Event',
    'LimitRange',
    'List',
    'Namespace',
    'Node',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'Pod',
    'PodTemplate',
    'ReplicationController',
    'ResourceQuota',
    'Secret',
    'Service',
    'ServiceAccount',
  ]),
  'apps/v1': new Set(['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet']),
  'rbac.authorization.k8s.io/v1': new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']),
  'readiness.node.x-k8s.io/v1alpha1': new Set(['NodeReadinessRule']),
};

function filesOf(path: string, recursive: boolean, top = true): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`,
    );
  }
  if (!stat.isDirectory()) return [path];
  if (!top && !recursive) return [];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => {
      const child = join(path, entry);
      return statSync(child).isDirectory() ? filesOf(child, recursive, false) : MANIFEST_EXTENSIONS.test(entry) ? [child] : [];
    });
}

/** A template left unrendered would parse as nonsense or not at all; say what it is instead. */
function unrenderedTemplateLine(text: string): number | null {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => /\{\{.*\}\}/.test(line.replace(/(^|\s)#.*$/, '')));
  return index === -1 ? null : index + 1;
}

function objectsOf(node: Node | null, value: unknown, file: string, lineOf: (node: Node | null) => number): Located[] {
  if (value === null || value === undefined) return [];
  const line = lineOf(node);
  if (typeof value !== 'object' || Array.isArray(value)) throw new CliError(`${file}:${line}: not a Kubernetes object`);
  const object = value as Record<string, unknown>;
  const apiVersion = object['apiVersion'];
  const kind = object['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    throw new CliError(`${file}:${line}: not a Kubernetes object (no apiVersion or kind)`);
  const known = KNOWN_KINDS[apiVersion];
  if (known && !known.has(kind)) throw new CliError(`${file}:${line}: unknown kind "${kind}" for apiVersion ${apiVersion}`);
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(object['items']))) {
    const itemsNode = isMap(node) ? (node.get('items', true) as Node | undefined) : undefined;
    const items = (object['items'] as unknown[] | undefined) ?? [];
    return items.flatMap((item, index) =>
      objectsOf(isSeq(itemsNode) ? ((itemsNode.items[index] as Node | undefined) ?? null) : null, item, file, lineOf),
    );
  }
  return [{ object, file, line }];
}

/** Every object in `paths`, in order; malformed input is one line naming the file and line. */
export function loadManifests(paths: string[], recursive: boolean, readStdin: () => string): Located[] {
  const sources = paths.flatMap((path) =>
    path === '-'
      ? [{ file: 'stdin', read: readStdin }]
      : filesOf(path, recursive).map((file) => ({ file, read: () => readFileSync(file, 'utf8') })),
  );
  return sources.flatMap(({ file, read }) => {
    let text: string;
    try {
      text = read();
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const template = unrenderedTemplateLine(text);
    if (template !== null)
      throw new CliError(`${file}:${template}: an unrendered template ({{ … }}): render it first, e.g. with helm template`);
    const lineCounter = new LineCounter();
    // YAML 1.1, as kubectl reads it: 0755 is octal, yes and no are booleans.
    const documents = parseAllDocuments(text, { lineCounter, version: '1.1' });
    const lineOf = (node: Node | null) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
    return (Array.isArray(documents) ? documents : [documents]).flatMap((document) => {
      const problem = document.errors[0];
      if (problem) {
        const line = problem.linePos?.[0]?.line ?? 1;
        throw new CliError(`${file}:${line}: invalid YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
      }
      return objectsOf(document.contents as Node | null, document.toJSON() as unknown, file, lineOf);
    });
  });
}
