// Paste rule YAML, see which nodes it would hold: the same parse and
// evaluation as `kubectl readiness status -f`, against the live nodes.
import { SectionBox, SimpleTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { StatusLabel } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { evaluateCluster, failingConditions, type NodeReadiness, parseRuleDocuments } from '@kubectl-readiness/shared';
import TextField from '@mui/material/TextField';
import React, { useMemo, useState } from 'react';
import { readinessStatus } from '../common/badges';

/** `rules`: the cluster's, which NRC's webhook checks a new rule's taint against. */
export function WhatIf({ nodes, rules, initialYaml = '' }: { nodes: unknown[]; rules: unknown[]; initialYaml?: string }) {
  const [text, setText] = useState(initialYaml);
  const outcome = useMemo(() => {
    if (text.trim() === '') return null;
    const parsed = parseRuleDocuments(text, rules);
    if (!parsed.ok) return { error: parsed.error, nodes: [] as NodeReadiness[], held: 0 };
    const { nodes: verdicts } = evaluateCluster(parsed.rules, nodes);
    const affected = verdicts.filter((node) => node.verdicts.length > 0);
    return {
      error: null,
      nodes: affected,
      held: affected.filter((node) => node.verdicts.some((verdict) => verdict.state === 'held' || verdict.action === 'add-taint')).length,
    };
  }, [text, nodes, rules]);
  return (
    <SectionBox title="What if" subtitle="Paste NodeReadinessRule YAML: nothing is applied.">
      <TextField
        label="Rule YAML"
        multiline
        fullWidth
        minRows={6}
        value={text}
        onChange={(event) => setText(event.target.value)}
        inputProps={{ 'aria-label': 'Rule YAML', spellCheck: false, style: { fontFamily: 'monospace' } }}
      />
      {outcome?.error ? (
        <p role="alert">Cannot evaluate: {outcome.error}</p>
      ) : outcome ? (
        <>
          <p>
            Selects {outcome.nodes.length} node(s); would hold {outcome.held}.
          </p>
          <SimpleTable
            columns={[
              { label: 'Node', getter: (row: NodeReadiness) => row.node },
              {
                label: 'Verdict',
                getter: (row: NodeReadiness) => <StatusLabel status={readinessStatus(row)}>{row.label}</StatusLabel>,
              },
              { label: 'Next', getter: (row: NodeReadiness) => row.verdicts.map((verdict) => verdict.action).join(', ') },
              { label: 'Failing', getter: (row: NodeReadiness) => failingConditions(row).join(', ') },
            ]}
            data={outcome.nodes}
            emptyMessage="The pasted rules select no node."
          />
        </>
      ) : null}
    </SectionBox>
  );
}
