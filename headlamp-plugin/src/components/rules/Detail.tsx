// One rule: its spec, the core's live per-node verdicts next to what the
// controller itself reported in status, and a what-if seeded with the rule.
import { NameValueTable, SectionBox, SimpleTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import {
  describeTaint,
  evaluateViews,
  type NodeEvaluation,
  type NodeFailure,
  readNode,
  readRule,
  type RuleVerdict,
} from '@kubectl-readiness/shared';
import React, { useMemo } from 'react';
import { useParams } from 'react-router-dom';
import { stringify } from 'yaml';
import { useReadiness } from '../../hooks/useReadiness';
import { StateLabel } from '../common/badges';
import { RulesProblemNotice } from '../common/NotInstalled';
import { RULES_PATH } from '../routes';
import { WhatIf } from './WhatIf';

export function RuleDetail() {
  const { name } = useParams<{ name: string }>();
  const data = useReadiness();
  const rule = data.rules.find((entry) => entry.metadata.name === name);
  const verdicts = useMemo((): RuleVerdict[] => {
    if (!rule) return [];
    const view = readRule(rule.jsonData);
    return data.nodes.map((node) => evaluateViews(view, readNode(node))).filter((verdict) => verdict.state !== 'not-selected');
  }, [rule, data.nodes]);
  if (data.rulesProblem !== null) return <RulesProblemNotice problem={data.rulesProblem} />;
  if (!rule)
    return (
      <SectionBox title={name} backLink={RULES_PATH}>
        {data.rulesLoaded ? `Rule "${name}" not found.` : 'Loading…'}
      </SectionBox>
    );
  const view = readRule(rule.jsonData);
  const spec = rule.spec;
  const status = rule.status;
  return (
    <>
      <SectionBox title={`Rule ${name}`} backLink>
        <NameValueTable
          rows={[
            { name: 'Mode', value: view.mode },
            { name: 'Policy', value: view.policy },
            { name: 'Taint', value: `${view.taint.key}${view.taint.value ? `=${view.taint.value}` : ''}:${view.taint.effect}` },
            { name: 'Dry run', value: view.dryRun ? 'yes' : 'no' },
            {
              name: 'Conditions',
              value: view.conditions
                .map(
                  (condition) =>
                    `${condition.type}=${condition.requiredStatus}${condition.defaultStatus ? ` (default ${condition.defaultStatus})` : ''}`,
                )
                .join(', '),
            },
            { name: 'Node selector', value: JSON.stringify(spec.nodeSelector ?? {}) },
            ...(view.problems.length > 0 ? [{ name: 'Problems', value: view.problems.join('; ') }] : []),
            ...(status.dryRunResults ? [{ name: 'Dry-run results', value: status.dryRunResults.summary }] : []),
          ]}
        />
      </SectionBox>
      <SectionBox title="Per-node evaluation (live)">
        <SimpleTable
          columns={[
            { label: 'Node', getter: (row: RuleVerdict) => row.node },
            { label: 'State', getter: (row: RuleVerdict) => <StateLabel state={row.state} /> },
            { label: 'Why', getter: (row: RuleVerdict) => row.reason },
            { label: 'Taint', getter: (row: RuleVerdict) => describeTaint(row) },
            { label: 'Next', getter: (row: RuleVerdict) => row.action },
          ]}
          data={verdicts}
          emptyMessage="The rule selects no node."
        />
      </SectionBox>
      <SectionBox title="Controller status">
        <SimpleTable
          columns={[
            { label: 'Node', getter: (row: NodeEvaluation) => row.nodeName },
            { label: 'Taint', getter: (row: NodeEvaluation) => row.taintStatus },
            {
              label: 'Conditions',
              getter: (row: NodeEvaluation) =>
                (row.conditionResults ?? [])
                  .map((result) => `${result.type}=${result.currentStatus} (required ${result.requiredStatus})`)
                  .join(', '),
            },
            { label: 'Evaluated', getter: (row: NodeEvaluation) => row.lastEvaluationTime },
          ]}
          data={status.nodeEvaluations ?? []}
          emptyMessage="The controller reported no node evaluations."
        />
        <SimpleTable
          columns={[
            { label: 'Failed node', getter: (row: NodeFailure) => row.nodeName },
            { label: 'Reason', getter: (row: NodeFailure) => row.reason ?? '' },
            { label: 'Message', getter: (row: NodeFailure) => row.message ?? '' },
          ]}
          data={status.failedNodes ?? []}
          emptyMessage="No failed nodes."
        />
      </SectionBox>
      <WhatIf
        nodes={data.nodes}
        rules={data.rules}
        initialYaml={stringify({ apiVersion: rule.jsonData.apiVersion, kind: rule.jsonData.kind, metadata: { name }, spec })}
      />
    </>
  );
}
