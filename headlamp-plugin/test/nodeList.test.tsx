// Headlamp's real Nodes list from lib, with this plugin registered the way
// Headlamp's loader does it, against mocked API answers (msw): the columns,
// the verdicts and the badges, and what a viewer sees with fewer rights.
import '@kinvolk/headlamp-plugin/lib';
import '../src/index';
import NodeList from '@kinvolk/headlamp-plugin/lib/components/node/List';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import React from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderInHeadlamp } from './render';

const TAINT = { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule', value: 'pending' };
const now = new Date().toISOString();

function node(name: string, calico: 'True' | 'False', taints: object[]) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: name, resourceVersion: '1', creationTimestamp: now, labels: { 'kubernetes.io/hostname': name } },
    spec: { taints },
    status: {
      conditions: [{ type: 'projectcalico.org/CalicoReady', status: calico, lastHeartbeatTime: now, lastTransitionTime: now }],
      addresses: [],
      nodeInfo: {
        kubeletVersion: 'v1.36.3',
        operatingSystem: 'linux',
        osImage: 'test',
        containerRuntimeVersion: 'test',
        kernelVersion: 'test',
      },
      capacity: { cpu: '4', memory: '8Gi' },
      allocatable: { cpu: '4', memory: '8Gi' },
    },
  };
}

const rule = {
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name: 'network-readiness-rule', uid: 'r1', resourceVersion: '1', creationTimestamp: now },
  spec: {
    conditions: [{ type: 'projectcalico.org/CalicoReady', requiredStatus: 'True' }],
    taint: TAINT,
    enforcementMode: 'continuous',
    nodeSelector: {},
  },
};

const reporter = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'cni-reporter', namespace: 'kube-system' },
  spec: {
    template: {
      spec: {
        serviceAccountName: 'cni-reporter',
        containers: [
          {
            name: 'reporter',
            image: 'registry.k8s.io/node-readiness-controller/node-readiness-reporter:v0.5.0',
            env: [
              { name: 'CONDITION_TYPE', value: 'projectcalico.org/CalicoReady' },
              { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'IMPERSONATE_NODE', value: 'true' },
            ],
          },
        ],
      },
    },
  },
};

const list = (kind: string, items: object[]) => HttpResponse.json({ kind, apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
const forbidden = () => HttpResponse.json({ kind: 'Status', code: 403, message: 'forbidden' }, { status: 403 });
const notFound = () => HttpResponse.json({ kind: 'Status', code: 404, message: 'not found' }, { status: 404 });

/** Constrained: only the associated-node questions for its own verbs are allowed. */
function constrainedReview(body: {
  spec: { resourceAttributes?: { verb?: string; subresource?: string; name?: string }; extra?: object };
}) {
  const attributes = body.spec.resourceAttributes ?? {};
  const associated = JSON.stringify(body.spec.extra ?? {}).includes('associated-node-keys');
  const allowed =
    attributes.verb === 'impersonate:associated-node' ||
    (associated && ['impersonate-on:associated-node:get', 'impersonate-on:associated-node:update'].includes(attributes.verb ?? ''));
  return HttpResponse.json({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', status: { allowed } }, { status: 201 });
}

const base = [
  http.get('*/clusters/test/api/v1/nodes', () => list('NodeList', [node('node-a', 'True', []), node('node-b', 'False', [TAINT])])),
  http.get('*/clusters/test/version', () => HttpResponse.json({ major: '1', minor: '36', gitVersion: 'v1.36.3' })),
  http.get(
    '*/clusters/test/metrics',
    () => new HttpResponse('kubernetes_feature_enabled{name="ConstrainedImpersonation",stage="BETA"} 1\n'),
  ),
  http.get('*/clusters/test/apis/apps/v1/daemonsets', () => list('DaemonSetList', [reporter])),
  http.get('*/clusters/test/apis/apps/v1/deployments', () => list('DeploymentList', [])),
  http.post('*/clusters/test/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', () =>
    HttpResponse.json({ status: { allowed: true } }, { status: 201 }),
  ),
  http.post('*/clusters/test/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', () =>
    HttpResponse.json({ status: { resourceRules: [] } }, { status: 201 }),
  ),
];

const server = setupServer(...base);
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'bypass' });
  // jsdom's AbortSignal is not one Node's fetch (or msw's Request) accepts, and
  // Headlamp's v1 request path always passes one: drop it under test.
  const intercepted = globalThis.fetch;
  globalThis.fetch = (input, init) => intercepted(input, init === undefined ? init : { ...init, signal: null });
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function row(name: string) {
  const link = await screen.findByRole('link', { name }, { timeout: 15_000 });
  return within(link.closest('tr')!);
}

describe("Headlamp's Nodes list with the plugin", () => {
  it('shows the readiness verdicts and the constrained reporter badge', async () => {
    server.use(
      http.get('*/clusters/test/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules', () => list('NodeReadinessRuleList', [rule])),
      http.post('*/clusters/test/apis/authorization.k8s.io/v1/subjectaccessreviews', async ({ request }) =>
        constrainedReview((await request.json()) as never),
      ),
    );
    renderInHeadlamp(<NodeList />, { route: '/c/:cluster/nodes' });
    expect(await screen.findByText('Readiness', {}, { timeout: 15_000 })).toBeTruthy();
    expect(screen.getByText('Reporter security')).toBeTruthy();
    await waitFor(async () => expect((await row('node-b')).getByText('held by network-readiness-rule')).toBeTruthy(), { timeout: 15_000 });
    expect((await row('node-a')).getByText('ready')).toBeTruthy();
    await waitFor(async () => expect((await row('node-a')).getByText('Constrained')).toBeTruthy(), { timeout: 15_000 });
  });

  it('degrades: no CRD gives "no rules"; no reviews and no RBAC gives "Unverified"', async () => {
    server.use(
      http.get('*/clusters/test/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules', notFound),
      http.post('*/clusters/test/apis/authorization.k8s.io/v1/subjectaccessreviews', forbidden),
      http.get('*/clusters/test/apis/rbac.authorization.k8s.io/v1/*', forbidden),
    );
    window.history.pushState({}, '', '/c/test2/nodes');
    renderInHeadlamp(<NodeList />, { route: '/c/:cluster/nodes' });
    await waitFor(async () => expect((await row('node-b')).getByText('no rules')).toBeTruthy(), { timeout: 15_000 });
  });
});
