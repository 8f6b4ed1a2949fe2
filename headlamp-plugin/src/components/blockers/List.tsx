// The Blockers view: which (rule, condition) pairs hold the most nodes, as
// `kubectl readiness status` and NRC's blocked_nodes{rule,condition} metric
// count them, with how long the longest-held of those nodes has waited.
import { Link, SectionBox, SimpleTable } from '@kinvolk/headlamp-plugin/lib/CommonComponents';
import { type Blocker, blockers, formatHeld, metadataOf } from '@kubectl-readiness/shared';
import React, { useMemo } from 'react';
import { useHeldDurations } from '../../hooks/useHeldDurations';
import { useReadiness } from '../../hooks/useReadiness';
import { RulesProblemNotice } from '../common/NotInstalled';
import { RULE_ROUTE } from '../routes';

/** Enough nodes to start from; the Nodes table, sorted by Readiness, lists them all. */
const LINKED_NODES = 10;

function NodeLinks({ nodes }: { nodes: string[] }) {
  const rest = nodes.length - LINKED_NODES;
  return (
    <span data-blocker-nodes>
      {nodes.slice(0, LINKED_NODES).map((name, index) => (
        <React.Fragment key={name}>
          {index > 0 ? ', ' : null}
          <Link routeName="node" params={{ name }}>
            {name}
          </Link>
        </React.Fragment>
      ))}
      {rest > 0 ? ` and ${rest} more` : null}
    </span>
  );
}

export function BlockerList() {
  const data = useReadiness();
  const heldOf = useHeldDurations();
  const rawByName = useMemo(() => new Map(data.nodes.map((node) => [metadataOf(node).name, node])), [data.nodes]);
  const readiness = data.readiness?.nodes ?? null;
  const found = readiness
    ? blockers(readiness, new Map(readiness.map((node) => [node.node, heldOf(rawByName.get(node.node), node)])))
    : null;
  return (
    <SectionBox title="What holds nodes back">
      {data.error ? <p role="alert">{data.error}</p> : null}
      <RulesProblemNotice problem={data.rulesProblem} />
      {data.rulesProblem === null ? (
        <SimpleTable
          columns={[
            {
              label: 'Rule',
              getter: (row: Blocker) => (
                <Link routeName={RULE_ROUTE} params={{ name: row.rule }}>
                  {row.rule}
                </Link>
              ),
            },
            { label: 'Blocking condition', getter: (row: Blocker) => row.condition },
            { label: 'Nodes', getter: (row: Blocker) => row.nodes.length },
            { label: 'Longest held', getter: (row: Blocker) => formatHeld(row.longestHold) },
            { label: 'Held nodes', getter: (row: Blocker) => <NodeLinks nodes={row.nodes} /> },
          ]}
          data={found}
          emptyMessage="No rule holds any node."
        />
      ) : null}
    </SectionBox>
  );
}
