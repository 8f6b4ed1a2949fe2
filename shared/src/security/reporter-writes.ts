// May this reporter write its condition on this node? NRC's reporter makes two
// requests on its own node, get nodes then update nodes/status, as its node
// when IMPERSONATE_NODE=true and as its ServiceAccount otherwise. Each goes
// through the whole decision chain; the diagnosis of a held node whose
// condition is missing or stale asks it for the reporters of that condition.
import { decideChain, describeAction, planChain, type Action, type ChainPlan, type ChainQuestion, type ChainVerdict } from './chain.ts';
import type { GateState } from '../nrc/gate.ts';
import { reporterWorkloadKey, type Reporter } from '../nrc/reporters.ts';
import type { ReviewAnswer } from '../base/reader.ts';

/**
 * The requests of NRC's readiness-condition-reporter (updateNodeCondition), in
 * order; null for other reporters, whose requests are not known here (Node
 * Problem Detector patches the status, a custom reporter may do anything).
 */
export function reporterRequests(reporter: Reporter, node: string): Action[] | null {
  if (reporter.kind !== 'nrc-reporter') return null;
  return [
    { verb: 'get', group: '', resource: 'nodes', name: node },
    { verb: 'update', group: '', resource: 'nodes', subresource: 'status', name: node },
  ];
}

export interface ReporterWrites {
  /** The reporter's workload, as `Kind/namespace/name`. */
  workload: string;
  node: string;
  /** The apiserver's ConstrainedImpersonation gate, as the chains were asked. */
  gate: GateState;
  /** Null when undecided: a review went unanswered, or only a constrained mode allows it while the gate is unknown. */
  allowed: boolean | null;
  /** The first request refused and why, or how both are allowed. */
  explanation: string;
  verdicts: { request: string; verdict: ChainVerdict }[];
}

/**
 * The chains to ask for one reporter writing `node`, none when its requests
 * are not known. A DaemonSet's pod there holds a token bound to that node; any
 * other workload's pod runs elsewhere, so associated-node, which only reaches
 * the token's own node, is not asked.
 */
export function planReporterWrites(reporter: Reporter, node: string, gate: GateState): ChainPlan[] {
  return (reporterRequests(reporter, node) ?? []).map((action) =>
    planChain({
      serviceAccount: reporter.serviceAccount,
      runsOn: reporter.workload.kind === 'DaemonSet' ? node : '',
      impersonate: reporter.impersonatesNode ? node : null,
      action,
      gate,
    }),
  );
}

/** Decides the reporter's requests from the answers to the plans' questions. */
export function decideReporterWrites(
  reporter: Reporter,
  plans: ChainPlan[],
  answer: (question: ChainQuestion) => ReviewAnswer | undefined,
): ReporterWrites {
  const verdicts = plans.map((plan) => ({
    request: describeAction(plan.request.action),
    verdict: decideChain(plan, answer),
  }));
  const request = plans[0]!.request;
  const base = { workload: reporterWorkloadKey(reporter), node: request.action.name ?? '', gate: request.gate, verdicts };
  const refused = verdicts.find(({ verdict }) => verdict.allowed === false);
  if (refused) return { ...base, allowed: false, explanation: `${refused.request}: ${refused.verdict.explanation}` };
  const undecided = verdicts.find(({ verdict }) => verdict.allowed === null);
  if (undecided) return { ...base, allowed: null, explanation: `${undecided.request}: ${undecided.verdict.explanation}` };
  // With the gate unknown, the constrained modes were asked as if on; the apiserver may not offer them.
  const gateDependent = verdicts.find(
    ({ verdict }) => (verdict.mode === 'associated-node' || verdict.mode === 'arbitrary-node') && request.gate === 'unknown',
  );
  if (gateDependent)
    return {
      ...base,
      allowed: null,
      explanation: `${gateDependent.request}: allowed only via ${gateDependent.verdict.mode}, and whether the ConstrainedImpersonation gate is on is unknown`,
    };
  return { ...base, allowed: true, explanation: verdicts.map(({ request, verdict }) => `${request}: ${verdict.explanation}`).join('; ') };
}
