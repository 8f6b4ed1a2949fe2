// How `status` looks: kubectl-style tables for many nodes, a describe-style
// page for one, and the versioned report for -o json|yaml.
import {
  longestHeld,
  rootCauseLine,
  type Blocker,
  type HeldDuration,
  type NodeDiagnosis,
  describeTaint,
  failingConditions,
  formatHeld,
  formatAge,
  formatEventAge,
  readinessEvents,
  staleConditions,
  type ClusterReadiness,
  type NodeReadiness,
  type Reporter,
  type RuleSummary,
} from '@kubectl-readiness/shared';
import type { Io } from '../io.ts';
import { inert, report, serializeChunks, table, type OutputFormat, type Painter } from '../render.ts';

function ruleRows(summaries: RuleSummary[]): string[][] {
  return summaries.map((summary) => [
    summary.rule,
    summary.mode,
    `${summary.taint.key}:${summary.taint.effect}`,
    String(summary.dryRun),
    String(summary.selected),
    String(summary.counts.held),
    String(summary.counts.releasing),
    String(summary.counts.unguarded),
    String(summary.counts['bootstrap-complete']),
  ]);
}

function nodeRows(nodes: NodeReadiness[], held: Map<string, HeldDuration[]>, wide: boolean, paint: Painter): string[][] {
  return nodes.map((node) => {
    const label = node.schedulable ? paint(node.label, node.label === 'ready' ? 'green' : 'yellow') : paint(node.label, 'red');
    const row = [
      node.node,
      label,
      node.verdicts.map((verdict) => verdict.rule).join(','),
      inert(failingConditions(node).join(',')),
      node.blockingTaints.map((taint) => `${taint.key}:${taint.effect}`).join(','),
      longestHeld(held.get(node.node) ?? []),
    ];
    if (wide) {
      row.push(staleConditions(node).join(','), node.unmanagedTaints.map((taint) => `${taint.key}:${taint.effect}`).join(','));
    }
    return row;
  });
}

export function describeNode(
  node: NodeReadiness,
  diagnosis: NodeDiagnosis,
  reporterLines: string[],
  events: unknown[],
  notes: string[],
  paint: Painter,
): string {
  const lines: string[] = [];
  lines.push(`Node:        ${node.node}`);
  lines.push(
    `Readiness:   ${node.label} (${node.schedulable ? paint('schedulable', 'green') : paint('readiness taints keep pods off', 'red')})`,
  );
  const rootCause = rootCauseLine(diagnosis);
  if (rootCause && diagnosis.rootCause) {
    const color = diagnosis.rootCause.severity === 'fail' ? 'red' : diagnosis.rootCause.severity === 'warn' ? 'yellow' : 'green';
    lines.push(`Root cause:  ${paint(inert(rootCause), color)}`);
    if (diagnosis.rootCause.remediation) {
      const [first, ...rest] = diagnosis.rootCause.remediation.split('\n').map(inert);
      lines.push(`  Fix: ${first}`, ...rest.map((line) => `       ${line}`));
    }
    const others = diagnosis.findings.filter((finding) => finding !== diagnosis.rootCause && finding.severity !== 'info');
    for (const finding of others) lines.push(`Also:        ${inert(finding.title)}`);
  }
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

/** Which workload writes each condition the node's rules read, and as whom. */
export function reporterLines(node: NodeReadiness, reporters: Reporter[]): string[] {
  const conditionTypes = new Set(node.verdicts.flatMap((verdict) => verdict.conditions.map((condition) => condition.type)));
  return [...conditionTypes].map((type) => {
    const writers = reporters.filter((reporter) => reporter.conditionTypes.includes(type));
    if (writers.length === 0) return `${type} ← no workload found that writes it`;
    return `${type} ← ${writers
      .map(
        (writer) =>
          `${writer.workload.kind} ${writer.workload.namespace}/${writer.workload.name} (ServiceAccount ${writer.serviceAccount.namespace}/${writer.serviceAccount.name}, ${writer.impersonatesNode ? 'impersonates its node' : 'acts as itself'})`,
      )
      .join('; ')}`;
  });
}

export interface StatusExtras {
  held: Map<string, HeldDuration[]>;
  blockers: Blocker[];
  /** The nodes named on the command line, diagnosed in full. */
  diagnoses: Map<string, NodeDiagnosis>;
}

export function printStatusReport(
  result: ClusterReadiness,
  extras: StatusExtras,
  whatIf: boolean,
  notes: string[],
  format: 'json' | 'yaml',
  io: Io,
): void {
  const nodes = result.nodes.map((node) => {
    const diagnosis = extras.diagnoses.get(node.node);
    return {
      ...node,
      held: extras.held.get(node.node) ?? [],
      ...(diagnosis ? { rootCause: diagnosis.rootCause, findings: diagnosis.findings } : {}),
    };
  });
  for (const chunk of serializeChunks(
    report('StatusReport', {
      generatedAt: new Date().toISOString(),
      whatIf,
      rules: result.rules,
      blockers: extras.blockers,
      nodes,
      notes,
    }),
    format,
  ))
    io.out(chunk);
}

/** The (rule, condition) pairs that hold the most nodes; five nodes named each, the rest counted. */
function blockerRows(blocking: Blocker[]): string[][] {
  return blocking.map((blocker) => [
    blocker.rule,
    inert(blocker.condition),
    String(blocker.nodes.length),
    formatHeld(blocker.longestHold),
    blocker.nodes.slice(0, 5).join(',') + (blocker.nodes.length > 5 ? `,+${blocker.nodes.length - 5}` : ''),
  ]);
}

export function printStatusTables(
  result: ClusterReadiness,
  held: Map<string, HeldDuration[]>,
  blocking: Blocker[],
  output: OutputFormat,
  io: Io,
): void {
  if (result.rules.length > 0) {
    io.out(
      table(['RULE', 'MODE', 'TAINT', 'DRY-RUN', 'SELECTED', 'HELD', 'RELEASING', 'UNGUARDED', 'BOOTSTRAPPED'], ruleRows(result.rules)),
    );
    io.out('\n');
  }
  if (blocking.length > 0) {
    io.out(table(['RULE', 'BLOCKING CONDITION', 'NODES', 'LONGEST HELD', 'EXAMPLES'], blockerRows(blocking)));
    io.out('\n');
  }
  const wide = output === 'wide';
  const headers = [
    'NODE',
    'READINESS',
    'RULES',
    'FAILING CONDITIONS',
    'READINESS TAINTS',
    'HELD FOR',
    ...(wide ? ['STALE', 'UNMANAGED TAINTS'] : []),
  ];
  if (result.nodes.length === 0) io.note('no nodes match');
  else io.out(table(headers, nodeRows(result.nodes, held, wide, io.paint)));
}

/** One line per node whose readiness changed, for status -w. */
export function watchLine(node: NodeReadiness): string {
  return `${node.node}   ${node.label}   ${inert(failingConditions(node).join(','))}`;
}
