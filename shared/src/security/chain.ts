// kube-apiserver's decision chain for a reporter's request under KEP-5284, as
// ready-to-send SubjectAccessReviews, and the verdict their answers imply.
// Order (constrained impersonation on): associated-node, arbitrary-node,
// legacy `impersonate`; then the action as the impersonated user; then
// NodeRestriction admission, which no review can see and is modelled.
import type { ReviewAnswer, SubjectAccessReviewSpec } from '../base/reader.ts';
import { nodeRestriction } from './admission.ts';
import type { GateState } from '../nrc/gate.ts';
import { serviceAccountUser, type ResourceAttributes, type UserInfo } from './rbac.ts';
import { ASSOCIATED_NODE_KEYS_EXTRA, LEGACY_NODE_GROUPS, NODE_GROUPS, NODE_NAME_EXTRA, POD_BOUND_EXTRA_KEYS } from './reviews.ts';

/** The request a reporter makes, in SubjectAccessReview terms. */
export type Action = ResourceAttributes;

export type ChainStep =
  | 'associated-node-action'
  | 'associated-node-identity'
  | 'arbitrary-node-action'
  | 'arbitrary-node-identity'
  | 'legacy-identity'
  | 'as-node'
  | 'as-legacy-user'
  | 'direct';

export interface ChainQuestion {
  step: ChainStep;
  summary: string;
  review: SubjectAccessReviewSpec;
}

export interface ChainRequest {
  serviceAccount: { namespace: string; name: string };
  /** The node the reporter's pod runs on: the node-name its pod-bound token carries; empty when not known. */
  runsOn: string;
  /** The node it impersonates (Impersonate-User: system:node:<node>), or null when it acts as itself. */
  impersonate: string | null;
  action: Action;
  /** The apiserver's ConstrainedImpersonation gate; only "disabled" leaves the constrained modes out. */
  gate: GateState;
}

export interface ChainPlan {
  request: ChainRequest;
  questions: ChainQuestion[];
}

function attributes(action: Action, verb = action.verb): SubjectAccessReviewSpec['resourceAttributes'] {
  return {
    verb,
    group: action.group,
    version: 'v1',
    resource: action.resource,
    ...(action.subresource ? { subresource: action.subresource } : {}),
    ...(action.name ? { name: action.name } : {}),
    ...(action.namespace ? { namespace: action.namespace } : {}),
  };
}

function identityAttributes(verb: string, name: string): SubjectAccessReviewSpec['resourceAttributes'] {
  return { verb, group: 'authentication.k8s.io', version: 'v1', resource: 'nodes', name };
}

export function describeAction(action: Action): string {
  const resource = action.subresource ? `${action.resource}/${action.subresource}` : action.resource;
  const group = action.group ? `.${action.group}` : '';
  return `${action.verb} ${resource}${group}${action.name ? ` ${action.name}` : ''}`;
}

export function planChain(request: ChainRequest): ChainPlan {
  const requester = serviceAccountUser(request.serviceAccount.namespace, request.serviceAccount.name);
  const realExtra: Record<string, string[]> = request.runsOn ? { [NODE_NAME_EXTRA]: [request.runsOn] } : {};
  const asRequester = { user: requester.username, groups: requester.groups, extra: realExtra };
  const { action } = request;
  const questions: ChainQuestion[] = [];
  const target = request.impersonate;
  if (target === null) {
    questions.push({
      step: 'direct',
      summary: `${describeAction(action)} as ${requester.username}`,
      review: { ...asRequester, resourceAttributes: attributes(action) },
    });
    return { request, questions };
  }
  if (request.gate !== 'disabled') {
    // The associated-node filter only tries the node its token is bound to.
    if (target === request.runsOn) {
      // Both checks see the requester's extras replaced by the list of their keys.
      const rewritten = {
        user: requester.username,
        groups: requester.groups,
        extra: { [ASSOCIATED_NODE_KEYS_EXTRA]: POD_BOUND_EXTRA_KEYS },
      };
      questions.push({
        step: 'associated-node-action',
        summary: `impersonate-on:associated-node:${action.verb} on ${describeAction(action)}`,
        review: { ...rewritten, resourceAttributes: attributes(action, `impersonate-on:associated-node:${action.verb}`) },
      });
      questions.push({
        step: 'associated-node-identity',
        summary: 'impersonate:associated-node on nodes.authentication.k8s.io "*"',
        review: { ...rewritten, resourceAttributes: identityAttributes('impersonate:associated-node', '*') },
      });
    }
    questions.push({
      step: 'arbitrary-node-action',
      summary: `impersonate-on:arbitrary-node:${action.verb} on ${describeAction(action)}`,
      review: { ...asRequester, resourceAttributes: attributes(action, `impersonate-on:arbitrary-node:${action.verb}`) },
    });
    questions.push({
      step: 'arbitrary-node-identity',
      summary: `impersonate:arbitrary-node on nodes.authentication.k8s.io ${target}`,
      review: { ...asRequester, resourceAttributes: identityAttributes('impersonate:arbitrary-node', target) },
    });
  }
  questions.push({
    step: 'legacy-identity',
    summary: `impersonate users system:node:${target}`,
    review: {
      ...asRequester,
      resourceAttributes: { verb: 'impersonate', group: '', version: 'v1', resource: 'users', name: `system:node:${target}` },
    },
  });
  questions.push({
    step: 'as-node',
    summary: `${describeAction(action)} as system:node:${target} [system:nodes]`,
    review: { user: `system:node:${target}`, groups: NODE_GROUPS, resourceAttributes: attributes(action) },
  });
  questions.push({
    step: 'as-legacy-user',
    summary: `${describeAction(action)} as system:node:${target} without the system:nodes group`,
    review: { user: `system:node:${target}`, groups: LEGACY_NODE_GROUPS, resourceAttributes: attributes(action) },
  });
  return { request, questions };
}

export type ImpersonationMode = 'associated-node' | 'arbitrary-node' | 'legacy' | 'none';

export interface StepOutcome extends ChainQuestion {
  answer: ReviewAnswer | null;
  /** Whether this step's answer decided the outcome. */
  decisive: boolean;
}

export interface ChainVerdict {
  /** null: an answer needed to decide was missing. */
  allowed: boolean | null;
  mode: ImpersonationMode | 'direct';
  identity: UserInfo | null;
  decidedBy: 'impersonation' | 'authorization' | 'admission (modelled)' | 'unknown';
  explanation: string;
  steps: StepOutcome[];
  admission: { applies: boolean; allowed: boolean; reason: string };
}

export function decideChain(plan: ChainPlan, answer: (question: ChainQuestion) => ReviewAnswer | undefined): ChainVerdict {
  const steps: StepOutcome[] = plan.questions.map((question) => ({ ...question, answer: answer(question) ?? null, decisive: false }));
  const step = (name: ChainStep) => steps.find((entry) => entry.step === name);
  const passes = (...names: ChainStep[]): boolean | null => {
    const outcomes = names.map((name) => step(name)?.answer?.allowed ?? null);
    if (outcomes.some((outcome) => outcome === false)) return false;
    return outcomes.some((outcome) => outcome === null) ? null : true;
  };
  const noAdmission = { applies: false, allowed: true, reason: 'NodeRestriction does not apply' };
  const unknown = (missing: ChainStep[]): ChainVerdict => ({
    allowed: null,
    mode: 'none',
    identity: null,
    decidedBy: 'unknown',
    explanation: `cannot tell: no answer for ${missing.join(', ')}`,
    steps,
    admission: noAdmission,
  });
  const finish = (mode: ChainVerdict['mode'], identity: UserInfo, authorizeStep: ChainStep): ChainVerdict => {
    const authorized = step(authorizeStep)!;
    if (authorized.answer === null) return unknown([authorizeStep]);
    authorized.decisive = true;
    const via = mode === 'direct' ? `as ${identity.username}` : `impersonating ${identity.username} via ${mode}`;
    if (!authorized.answer.allowed) {
      return {
        allowed: false,
        mode,
        identity,
        decidedBy: 'authorization',
        explanation: `denied ${via}: ${authorized.summary} is not authorized`,
        steps,
        admission: noAdmission,
      };
    }
    const admission = nodeRestriction(identity, plan.request.action);
    if (!admission.allowed) {
      return {
        allowed: false,
        mode,
        identity,
        decidedBy: 'admission (modelled)',
        explanation: `denied ${via} by NodeRestriction (modelled): ${admission.reason}`,
        steps,
        admission,
      };
    }
    return { allowed: true, mode, identity, decidedBy: 'authorization', explanation: `allowed ${via}`, steps, admission };
  };

  const { request } = plan;
  if (request.impersonate === null) {
    const user = serviceAccountUser(request.serviceAccount.namespace, request.serviceAccount.name);
    return finish('direct', user, 'direct');
  }
  const nodeUser = `system:node:${request.impersonate}`;
  const modes: [ImpersonationMode, ChainStep[]][] = [
    ['associated-node', ['associated-node-action', 'associated-node-identity']],
    ['arbitrary-node', ['arbitrary-node-action', 'arbitrary-node-identity']],
    ['legacy', ['legacy-identity']],
  ];
  for (const [mode, names] of modes) {
    if (!names.every((name) => step(name))) continue;
    const result = passes(...names);
    if (result === null) return unknown(names.filter((name) => step(name)!.answer === null));
    if (!result) continue;
    names.forEach((name) => (step(name)!.decisive = true));
    return mode === 'legacy'
      ? finish('legacy', { username: nodeUser, groups: LEGACY_NODE_GROUPS }, 'as-legacy-user')
      : finish(mode, { username: nodeUser, groups: NODE_GROUPS }, 'as-node');
  }
  const first = steps.find((entry) => entry.answer?.allowed === false);
  if (first) first.decisive = true;
  return {
    allowed: false,
    mode: 'none',
    identity: null,
    decidedBy: 'impersonation',
    explanation: `denied: ${request.serviceAccount.namespace}/${request.serviceAccount.name} may not impersonate ${nodeUser}${first ? ` (${first.summary} is not granted)` : ''}`,
    steps,
    admission: noAdmission,
  };
}
