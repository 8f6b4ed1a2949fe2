// Two columns on Headlamp's Nodes table. The processor runs inside a useMemo
// and may run many times, so it calls no hooks and replaces its own columns
// instead of adding them twice; the cells are components that use hooks.
import { Utils } from '@kinvolk/headlamp-plugin/lib';
import { StatusLabel } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import {
  failingConditions,
  formatHeld,
  type HeldDuration,
  nodePosture,
  type NodeReadiness,
  reportersForNode,
  staleConditions,
} from '@kubectl-readiness/shared';
import React from 'react';
import { useHeldDurations } from '../../hooks/useHeldDurations';
import { latestReadinessOf, prefetchRules, useNodeVerdict } from '../../hooks/useReadiness';
import { useReporterAssessments } from '../../hooks/useReporterSecurity';
import { Explained, PostureBadge, readinessStatus } from '../common/badges';

export const NODES_TABLE_ID = 'headlamp-nodes';
export const READINESS_COLUMN_ID = 'readiness-status';
export const SECURITY_COLUMN_ID = 'readiness-reporter-security';

interface NodeItem {
  jsonData: unknown;
  cluster: string;
}

/**
 * The Readiness cell's words: the CLI's READINESS column ("held by 2/2 rules",
 * "held by network-readiness-rule", "ready") cut to a state and a rule count,
 * so a long rule name never widens the Nodes table; the tooltip names the rules.
 */
export function compactReadiness(node: NodeReadiness): string {
  const held = node.verdicts.filter((verdict) => verdict.state === 'held').length;
  if (held > 0) return `Held ${held}/${node.verdicts.length}`;
  return node.label.charAt(0).toUpperCase() + node.label.slice(1);
}

/** The rules behind a state that the hold durations do not already name. */
function unnamedRules(node: NodeReadiness, held: HeldDuration[]): string[] {
  const timed = new Set(held.map((hold) => hold.rule));
  return node.verdicts.flatMap((verdict) => {
    if (verdict.state === 'held') return timed.has(verdict.rule) ? [] : [`held by ${verdict.rule}`];
    if (verdict.state === 'releasing' || verdict.state === 'unguarded') return [`${verdict.state}: ${verdict.rule}`];
    return [];
  });
}

export function readinessTooltip(node: NodeReadiness, held: HeldDuration[] = []): string[] {
  const holds = held.map((hold) => `held by ${hold.rule} for ${formatHeld(hold)} (${hold.source})`);
  const failing = failingConditions(node).map((condition) => `failing: ${condition}`);
  const stale = staleConditions(node).map((type) => `stale heartbeat: ${type}`);
  const unmanaged = node.unmanagedTaints.map((taint) => `no rule owns taint ${taint.key}:${taint.effect}`);
  return [...holds, ...unnamedRules(node, held), ...failing, ...stale, ...unmanaged];
}

export function ReadinessCell({ node: object }: { node: unknown }) {
  const { node } = useNodeVerdict(object);
  const heldOf = useHeldDurations();
  if (!node) return null;
  const text = compactReadiness(node);
  return (
    <Explained lines={readinessTooltip(node, heldOf(object, node))} label={text}>
      <StatusLabel status={readinessStatus(node)} data-readiness={node.label}>
        {text}
      </StatusLabel>
    </Explained>
  );
}

export function ReporterSecurityCell({ node }: { node: unknown }) {
  const security = useReporterAssessments();
  if (security.error) return <PostureBadge posture="unverified" reasons={[security.error]} />;
  if (!security.assessments) return null;
  const writers = reportersForNode(security.assessments, node, security.rules.ruleJson);
  const { posture } = nodePosture(writers.map((writer) => writer.posture));
  if (posture === null) return null;
  const reasons = [
    ...(security.unverifiedReason ? [security.unverifiedReason] : []),
    ...writers.map(
      (writer) =>
        `${writer.reporter.serviceAccount.namespace}/${writer.reporter.serviceAccount.name}: ${writer.reasons[0] ?? writer.posture}`,
    ),
  ];
  return <PostureBadge posture={posture} reasons={reasons} />;
}

function readinessLabelOf(item: NodeItem): string {
  return latestReadinessOf(item.cluster, item.jsonData)?.label ?? '';
}

const READINESS_SORT_ORDER = ['held', 'releasing', 'unguarded', 'ready', 'no rules'];

function sortKey(label: string): number {
  const index = READINESS_SORT_ORDER.findIndex((prefix) => label.startsWith(prefix));
  return index === -1 ? READINESS_SORT_ORDER.length : index;
}

type Column = string | { id?: string; gridTemplate?: string | number };

// As wide as the widest badge and no wider: an 'auto' track takes its
// max-content first and leaves Headlamp's 1fr columns (Memory, Ready, Taints)
// the rest.
export const COMPACT_CELL = 'min-content';

/**
 * Headlamp sizes CPU 'min-content' but leaves Memory the default 1fr, whose
 * cells break words anywhere: on a table too wide for the window it is the
 * track that gives, down to one character a line ("1 6 G i", with or without
 * our columns at 1280 and 1440 px). Sized as CPU it keeps "16Gi" whole;
 * a gridTemplate Headlamp gives it itself is left alone.
 */
function memorySizedAsCpu<C extends Column>(column: C): C {
  if (typeof column === 'string' || column.id !== 'memory' || column.gridTemplate !== undefined) return column;
  return { ...(column as Exclude<Column, string>), gridTemplate: COMPACT_CELL } as C;
}

export function readinessColumnsProcessor<C extends Column>({ id, columns }: { id: string; columns: C[] }): C[] {
  if (id !== NODES_TABLE_ID) return columns;
  // The table is set up seconds before a large node list arrives: the rules the
  // Readiness cells need are read meanwhile (one short list), so the first rows
  // show their verdicts at once. Nothing else starts here: the reviews, the RBAC
  // lists and the events would share the apiserver and the browser's
  // connections with Headlamp's own node list; the cells start them once they
  // render, which is after that list has arrived.
  const cluster = Utils.getCluster();
  if (cluster) prefetchRules(cluster);
  const ours = new Set([READINESS_COLUMN_ID, SECURITY_COLUMN_ID]);
  const kept = columns.filter((column) => typeof column === 'string' || !ours.has(column.id ?? '')).map(memorySizedAsCpu);
  const added = [
    {
      id: READINESS_COLUMN_ID,
      label: 'Readiness',
      gridTemplate: COMPACT_CELL,
      getValue: (item: NodeItem) => readinessLabelOf(item),
      render: (item: NodeItem) => <ReadinessCell node={item.jsonData} />,
      sort: (a: NodeItem, b: NodeItem) => sortKey(readinessLabelOf(a)) - sortKey(readinessLabelOf(b)),
    },
    {
      id: SECURITY_COLUMN_ID,
      label: 'Reporter security',
      gridTemplate: COMPACT_CELL,
      disableFiltering: true,
      sort: false,
      render: (item: NodeItem) => <ReporterSecurityCell node={item.jsonData} />,
    },
  ] as unknown as C[];
  // Headlamp 0.45 hides the columns that do not fit right to left and passes
  // no responsivePriority for processor columns: next to Ready, ours outlast
  // taints, roles, addresses and versions. Before Age where there is no Ready.
  const ready = kept.findIndex((column) => typeof column !== 'string' && column.id === 'ready');
  const age = kept.findIndex((column) => column === 'age');
  const at = ready !== -1 ? ready + 1 : age !== -1 ? age : kept.length;
  return [...kept.slice(0, at), ...added, ...kept.slice(at)];
}
