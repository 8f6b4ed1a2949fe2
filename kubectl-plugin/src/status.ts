// `kubectl readiness status`: why is this node (not) accepting workloads?
import { readFileSync } from 'node:fs';
import {
  describeTaint,
  discoverReporters,
  formatEventAge,
  parseRuleDocuments,
  readinessEvents,
  evaluateCluster,
  failingConditions,
  staleConditions,
  formatAge,
  metadataOf,
  nodeEssentials,
  readNode,
  type ClusterReadiness,
  type NodeReadiness,
  type RuleSummary,
} from '@kubectl-readiness/shared';
import type { ApiClient } from './client.ts';
import { CliError, EXIT_FAILED, EXIT_OK } from './errors.ts';
import { fetchNodeEvents, fetchNodes, fetchRules, fetchWorkloads } from './fetch.ts';
import { inert, report, serialize, table, type OutputFormat, type Painter } from './render.ts';

export interface StatusOptions {
  nodes: string[];
  rules: string[];
  selector?: string;
  notReady: boolean;
  failIfNotReady: boolean;
  file?: string;
  staleAfterSeconds: number;
  output: OutputFormat;
}

export interface Io {
  out: (text: string) => void;
  note: (text: string) => void;
  paint: Painter;
  readStdin: () => string;
  /** Progress of a long operation; shown on stderr only when it is a terminal, and never on stdout. */
  progress: (text: string | null) => void;
}

/** Rules from a file or stdin for the what-if view; a malformed file is a usage error. */
export function readRuleFile(path: string, readStdin: () => string): unknown[] {
  let text: string;
  try {
    text = path === '-' ? readStdin() : readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = parseRuleDocuments(text);
  if (!parsed.ok) throw new CliError(`${path}: ${parsed.error}`);
  return parsed.rules;
}

function ruleRows(summaries: RuleSummary[]): string[][] {
  return summaries.map((summary) => [
    summary.rule,
    summary.mode,
    `${summary.taint.key}:${summary.taint.effect}`,
    String(summary.dryRun),
    String(summary.matched),
    String(summary.counts.held),
    String(summary.counts.releasing),
    String(summary.counts.unguarded),
    String(summary.counts['bootstrap-complete']),
  ]);
}

function nodeRows(nodes: NodeReadiness[], wide: boolean, paint: Painter): string[][] {
  return nodes.map((node) => {
    const label = node.schedulable ? paint(node.label, node.label === 'ready' ? 'green' : 'yellow') : paint(node.label, 'red');
    const row = [
      node.node,
      label,
      node.verdicts.map((verdict) => verdict.rule).join(','),
      inert(failingConditions(node).join(',')),
      node.blockingTaints.map((taint) => `${taint.key}:${taint.effect}`).join(','),
    ];
    if (wide) {
      row.push(staleConditions(node).join(','), node.unmanagedTaints.map((taint) => `${taint.key}:${taint.effect}`).join(','));
    }
    return row;
  });
}

function filterResult(result: ClusterReadiness, options: StatusOptions): ClusterReadiness {
  const rules = options.rules.length > 0 ? result.rules.filter((summary) => options.rules.includes(summary.rule)) : result.rules;
  const missing = options.rules.filter((name) => !result.rules.some((summary) => summary.rule === name));
  if (missing.length > 0) throw new CliError(`rule ${missing.map((name) => `"${name}"`).join(', ')} not found`);
  const nodes = result.nodes
    .map((node) =>
      options.rules.length > 0 ? { ...node, verdicts: node.verdicts.filter((verdict) => options.rules.includes(verdict.rule)) } : node,
    )
    .filter((node) => options.nodes.length === 0 || options.nodes.includes(node.node))
    .filter((node) => !options.notReady || node.verdicts.some((verdict) => verdict.state === 'held'));
  return { rules, nodes };
}

function describeNode(node: NodeReadiness, reporterLines: string[], events: unknown[], notes: string[], paint: Painter): string {
  const lines: string[] = [];
  lines.push(`Node:        ${node.node}`);
  lines.push(
    `Readiness:   ${node.label} (${node.schedulable ? paint('schedulable', 'green') : paint('readiness taints keep pods off', 'red')})`,
  );
  lines.push('Rules:');
  if (node.verdicts.length === 0) lines.push('  <none>');
  for (const verdict of node.verdicts) {
    const flags = [verdict.mode, verdict.policy, ...(verdict.dryRun ? ['dry-run'] : [])].join(', ');
    lines.push(`  ${verdict.rule} (${flags}): ${verdict.state}`);
    lines.push(`    ${inert(verdict.reason)}`);
    const rows = verdict.conditions.map((condition) => [
      condition.type,
      condition.observedStatus ?? 'missing',
      condition.requiredStatus,
      condition.defaultStatus ?? '',
      inert(condition.reason ?? ''),
      inert(condition.message ?? ''),
      condition.heartbeatAgeSeconds === null ? '' : formatAge(condition.heartbeatAgeSeconds) + (condition.stale ? ' (stale)' : ''),
    ]);
    lines.push(
      table(['CONDITION', 'CURRENT', 'REQUIRED', 'DEFAULT', 'REASON', 'MESSAGE', 'HEARTBEAT'], rows)
        .trimEnd()
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n'),
    );
    lines.push(`    Taint ${verdict.taint.key}:${verdict.taint.effect}: ${inert(describeTaint(verdict))}`);
    if (verdict.mode === 'bootstrap-only')
      lines.push(`    Bootstrap: ${verdict.bootstrapCompleted ? `completed (${verdict.bootstrapAnnotation})` : 'not completed'}`);
  }
  if (node.unmanagedTaints.length > 0) {
    lines.push(
      `Unmanaged readiness taints: ${node.unmanagedTaints.map((taint) => `${taint.key}:${taint.effect}`).join(', ')} (no rule selecting this node owns them)`,
    );
  }
  lines.push('Reporters:');
  lines.push(...(reporterLines.length > 0 ? reporterLines.map((line) => `  ${line}`) : ['  <none>']));
  lines.push('Events:');
  const eventRows = readinessEvents(events).map((event) => [event.type, event.reason, formatEventAge(event), inert(event.message)]);
  lines.push(
    eventRows.length > 0
      ? table(['TYPE', 'REASON', 'AGE', 'MESSAGE'], eventRows)
          .trimEnd()
          .split('\n')
          .map((line) => `  ${line}`)
          .join('\n')
      : '  <none>',
  );
  for (const note of notes) lines.push(`Note: ${note}`);
  return lines.join('\n') + '\n';
}

export async function runStatus(client: ApiClient, options: StatusOptions, io: Io): Promise<number> {
  const fileRules = options.file ? readRuleFile(options.file, io.readStdin) : null;
  const [nodes, clusterRules] = await Promise.all([
    fetchNodes(client, options.selector),
    fileRules ? Promise.resolve(null) : fetchRules(client),
  ]);
  if (clusterRules?.note) io.note(clusterRules.note);
  if (fileRules)
    io.note(
      `what-if: ${fileRules.length} rule(s) from ${options.file === '-' ? 'stdin' : options.file}, evaluated against live nodes; nothing is applied`,
    );
  const unknownNodes = options.nodes.filter((name) => !nodes.some((node) => metadataOf(node).name === name));
  if (unknownNodes.length > 0) throw new CliError(`node ${unknownNodes.map((name) => `"${name}"`).join(', ')} not found`);
  const evaluation = evaluateCluster(fileRules ?? clusterRules?.items ?? [], nodes, { staleAfterSeconds: options.staleAfterSeconds });
  const result = filterResult(evaluation, options);
  for (const summary of result.rules) {
    if (summary.selectorError)
      io.note(`rule ${summary.rule}: node selector is invalid, so NRC applies it to no node: ${summary.selectorError}`);
  }
  const notReady = result.nodes.some((node) => !node.schedulable);

  if (options.output === 'json' || options.output === 'yaml') {
    io.out(
      serialize(
        report('StatusReport', {
          generatedAt: new Date().toISOString(),
          whatIf: fileRules !== null,
          rules: result.rules,
          nodes: result.nodes,
          notes: clusterRules?.note ? [clusterRules.note] : [],
        }),
        options.output,
      ),
    );
  } else if (options.nodes.length === 1) {
    const [node] = result.nodes;
    const notes: string[] = [];
    const workloads = await fetchWorkloads(client);
    if (workloads.note) notes.push(`reporters: ${workloads.note}`);
    const discovery = discoverReporters(workloads.items, fileRules ?? clusterRules?.items ?? []);
    const conditionTypes = new Set(node!.verdicts.flatMap((verdict) => verdict.conditions.map((condition) => condition.type)));
    const reporterLines = [...conditionTypes].map((type) => {
      const writers = discovery.reporters.filter((reporter) => reporter.conditionTypes.includes(type));
      if (writers.length === 0) return `${type} ← no workload found that writes it`;
      return `${type} ← ${writers
        .map(
          (writer) =>
            `${writer.workload.kind} ${writer.workload.namespace}/${writer.workload.name} (ServiceAccount ${writer.serviceAccount.namespace}/${writer.serviceAccount.name}, ${writer.impersonatesNode ? 'impersonates its node' : 'acts as itself'})`,
        )
        .join('; ')}`;
    });
    const events = await fetchNodeEvents(client, node!.node);
    if (events.note) notes.push(`events: ${events.note}`);
    io.out(describeNode(node!, reporterLines, events.items, notes, io.paint));
  } else {
    if (result.rules.length > 0) {
      io.out(
        table(['RULE', 'MODE', 'TAINT', 'DRY-RUN', 'MATCHED', 'HELD', 'RELEASING', 'UNGUARDED', 'BOOTSTRAPPED'], ruleRows(result.rules)),
      );
      io.out('\n');
    }
    const headers = [
      'NODE',
      'READINESS',
      'RULES',
      'FAILING CONDITIONS',
      'READINESS TAINTS',
      ...(options.output === 'wide' ? ['STALE', 'UNMANAGED TAINTS'] : []),
    ];
    if (result.nodes.length === 0) io.note('no nodes match');
    else io.out(table(headers, nodeRows(result.nodes, options.output === 'wide', io.paint)));
  }
  return options.failIfNotReady && notReady ? EXIT_FAILED : EXIT_OK;
}

/** Live view: one list, then a watch; each event re-evaluates only the node it names. */
export async function runStatusWatch(client: ApiClient, options: StatusOptions, io: Io, signal: AbortSignal): Promise<number> {
  const clusterRules = await fetchRules(client);
  if (clusterRules.note) io.note(clusterRules.note);
  const rules = options.file ? readRuleFile(options.file, io.readStdin) : clusterRules.items;
  const labels = new Map<string, string>();
  const emit = (node: unknown) => {
    const [entry] = evaluateCluster(rules, [node], { staleAfterSeconds: options.staleAfterSeconds }).nodes;
    const filtered = filterResult({ rules: [], nodes: [entry!] }, { ...options, rules: [] }).nodes[0];
    if (!filtered) return;
    const line = `${filtered.node}   ${filtered.label}   ${inert(failingConditions(filtered).join(','))}`;
    if (labels.get(filtered.node) !== line) {
      labels.set(filtered.node, line);
      io.out(`${new Date().toISOString()}   ${line}\n`);
    }
  };
  let resourceVersion = '';
  const relist = async () => {
    const listed = await client.list('/api/v1/nodes', options.selector ? { labelSelector: options.selector } : {}, nodeEssentials);
    listed.items.forEach(emit);
    resourceVersion = listed.resourceVersion;
  };
  await relist();
  while (!signal.aborted) {
    try {
      await client.watch(
        '/api/v1/nodes',
        { resourceVersion, ...(options.selector ? { labelSelector: options.selector } : {}) },
        (type, object) => {
          const version = (object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
          if (version) resourceVersion = version;
          if (type === 'DELETED') {
            const name = readNode(object).name;
            labels.delete(name);
            io.out(`${new Date().toISOString()}   ${name}   deleted\n`);
          } else if (type === 'ADDED' || type === 'MODIFIED') emit(object);
        },
        signal,
      );
    } catch (error) {
      if (signal.aborted) break;
      const gone = (error as { status?: number }).status === 410;
      io.note(gone ? 'watch expired (410 Gone): listing again' : `watch interrupted: ${(error as Error).message}; reconnecting`);
      if (gone) await relist();
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  return EXIT_OK;
}
