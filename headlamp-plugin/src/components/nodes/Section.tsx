// "Node readiness" on Headlamp's node page: the rules that apply with their
// verdicts, the conditions they read, the taints, the reporters writing to
// this node and NRC's taint events. Messages are reporter-written: text only.
import { Link, NameValueTable, SectionBox, SimpleTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import {
  describeTaint,
  formatAge,
  formatEventAge,
  type ReadinessEvent,
  reportersForNode,
  rootCauseLine,
  type RuleVerdict,
} from '@kubectl-readiness/shared';
import React from 'react';
import { useNodeDiagnosis } from '../../hooks/useNodeDiagnosis';
import { useNodeVerdict } from '../../hooks/useReadiness';
import { useReporterAssessments } from '../../hooks/useReporterSecurity';
import { useTaintEvents } from '../../hooks/useTaintEvents';
import { StateLabel } from '../common/badges';
import { RulesProblemNotice } from '../common/NotInstalled';
import { ReporterTable } from '../common/ReporterTable';
import { RULE_ROUTE } from '../routes';

function VerdictBox({ verdict }: { verdict: RuleVerdict }) {
  const flags = [verdict.mode, verdict.policy, ...(verdict.dryRun ? ['dry-run'] : [])].join(', ');
  const rows = [
    { name: 'State', value: <StateLabel state={verdict.state} /> },
    { name: 'Why', value: verdict.reason },
    { name: 'Taint', value: `${verdict.taint.key}:${verdict.taint.effect}: ${describeTaint(verdict)}` },
    ...(verdict.mode === 'bootstrap-only'
      ? [{ name: 'Bootstrap', value: verdict.bootstrapCompleted ? `completed (${verdict.bootstrapAnnotation})` : 'not completed' }]
      : []),
  ];
  return (
    <SectionBox
      title={
        <Link routeName={RULE_ROUTE} params={{ name: verdict.rule }}>
          {verdict.rule}
        </Link>
      }
      subtitle={flags}
    >
      <NameValueTable rows={rows} />
      <SimpleTable
        columns={[
          { label: 'Condition', getter: (row: (typeof verdict.conditions)[number]) => row.type },
          { label: 'Current', getter: (row: (typeof verdict.conditions)[number]) => row.observedStatus ?? 'missing' },
          { label: 'Required', getter: (row: (typeof verdict.conditions)[number]) => row.requiredStatus },
          { label: 'Default', getter: (row: (typeof verdict.conditions)[number]) => row.defaultStatus ?? '' },
          { label: 'Reason', getter: (row: (typeof verdict.conditions)[number]) => row.reason ?? '' },
          { label: 'Message', getter: (row: (typeof verdict.conditions)[number]) => row.message ?? '' },
          {
            label: 'Heartbeat',
            getter: (row: (typeof verdict.conditions)[number]) =>
              row.heartbeatAgeSeconds === null ? '' : `${formatAge(row.heartbeatAgeSeconds)}${row.stale ? ' (stale)' : ''}`,
          },
        ]}
        data={verdict.conditions}
      />
    </SectionBox>
  );
}

/** The page's own Node object, which Headlamp keeps watched: no list of every node is needed here. */
export function NodeReadinessSection({
  resource,
}: {
  resource: { kind?: string; metadata?: { name?: string }; jsonData?: unknown } | null;
}) {
  if (resource?.kind !== 'Node' || !resource.metadata?.name) return null;
  return <NodeReadinessDetails name={resource.metadata.name} object={resource.jsonData} />;
}

function NodeReadinessDetails({ name, object }: { name: string; object: unknown }) {
  const { node, rules } = useNodeVerdict(object);
  const security = useReporterAssessments();
  const events = useTaintEvents(name);
  const diagnosis = useNodeDiagnosis(object, node, rules.ruleJson);
  if (!node) return null;
  const rootCause = diagnosis ? rootCauseLine(diagnosis) : null;
  const writers = security.assessments ? reportersForNode(security.assessments, object, rules.ruleJson) : [];
  const summary = [
    ...(rootCause ? [{ name: 'Root cause', value: <span data-testid="readiness-root-cause">{rootCause}</span> }] : []),
    ...(diagnosis?.rootCause?.remediation
      ? [{ name: 'Fix', value: <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{diagnosis.rootCause.remediation}</pre> }]
      : []),
    { name: 'Readiness', value: `${node.label} (${node.schedulable ? 'schedulable' : 'readiness taints keep pods off'})` },
    { name: 'Readiness taints', value: node.blockingTaints.map((taint) => `${taint.key}:${taint.effect}`).join(', ') || 'none' },
    ...(node.unmanagedTaints.length > 0
      ? [
          {
            name: 'Unmanaged taints',
            value: `${node.unmanagedTaints.map((taint) => `${taint.key}:${taint.effect}`).join(', ')} (no rule selecting this node owns them)`,
          },
        ]
      : []),
  ];
  return (
    <SectionBox title="Node readiness" data-testid="readiness-node-section">
      <RulesProblemNotice problem={rules.rulesProblem} />
      <NameValueTable rows={summary} />
      {node.verdicts.length === 0 && rules.rulesProblem === null ? <p>No NodeReadinessRule selects this node.</p> : null}
      {node.verdicts.map((verdict) => (
        <VerdictBox key={verdict.rule} verdict={verdict} />
      ))}
      <SectionBox title="Reporters writing to this node">
        <ReporterTable
          assessments={writers}
          emptyMessage={security.loading ? 'Checking reporters…' : (security.error ?? 'No reporter writes to this node.')}
        />
      </SectionBox>
      <SectionBox title="Readiness events">
        <SimpleTable
          columns={[
            { label: 'Type', getter: (row: ReadinessEvent) => row.type },
            { label: 'Reason', getter: (row: ReadinessEvent) => row.reason },
            { label: 'Age', getter: (row: ReadinessEvent) => formatEventAge(row) },
            { label: 'Message', getter: (row: ReadinessEvent) => row.message },
          ]}
          data={events}
          emptyMessage="No taint events from the Node Readiness Controller."
        />
      </SectionBox>
    </SectionBox>
  );
}
