// Headlamp's real Nodes list from lib, with this plugin registered the way
// Headlamp's loader does it, against mocked API answers (msw): the columns and
// the verdicts. Reporter posture needs Headlamp's v1 request path, which msw
// does not intercept under jsdom; the browser test proves it against the real
// apiserver instead.
import '@kinvolk/headlamp-plugin/lib';
import '../src/index';
import NodeList from '@kinvolk/headlamp-plugin/lib/components/node/List';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import React from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BlockerList } from '../src/components/blockers/List';
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

const list = (kind: string, items: object[]) => HttpResponse.json({ kind, apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
const notFound = () => HttpResponse.json({ kind: 'Status', code: 404, message: 'not found' }, { status: 404 });

const base = [
  http.get('*/clusters/test/api/v1/nodes', () => list('NodeList', [node('node-a', 'True', []), node('node-b', 'False', [TAINT])])),
  http.post('*/clusters/test/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', () =>
    HttpResponse.json({ status: { allowed: true } }, { status: 201 }),
  ),
  http.post('*/clusters/test/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', () =>
    HttpResponse.json({ status: { resourceRules: [] } }, { status: 201 }),
  ),
];

const server = setupServer(...base);
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function row(name: string) {
  const link = await screen.findByRole('link', { name }, { timeout: 15_000 });
  return within(link.closest('tr')!);
}

describe("Headlamp's Nodes list with the plugin", () => {
  it('shows the readiness verdicts in the real Nodes list', async () => {
    server.use(
      http.get('*/clusters/test/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules', () => list('NodeReadinessRuleList', [rule])),
    );
    renderInHeadlamp(<NodeList />, { route: '/c/:cluster/nodes' });
    expect(await screen.findByText('Readiness', {}, { timeout: 15_000 })).toBeTruthy();
    expect(screen.getByText('Reporter security')).toBeTruthy();
    await waitFor(async () => expect((await row('node-b')).getByText('Held 1/1')).toBeTruthy(), { timeout: 15_000 });
    expect((await row('node-b')).getByText('Held 1/1').getAttribute('data-readiness')).toBe('held by network-readiness-rule');
    expect((await row('node-a')).getByText('Ready')).toBeTruthy();
  });

  it("puts both columns right after Ready in lib 0.14's own Nodes column list", async () => {
    server.use(
      http.get('*/clusters/test/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules', () => list('NodeReadinessRuleList', [rule])),
    );
    renderInHeadlamp(<NodeList />, { route: '/c/:cluster/nodes' });
    await row('node-b');
    // A sortable header ends with the sort-order badge MRT renders ("Ready0").
    const headers = screen.getAllByRole('columnheader').map((header) => header.textContent?.replace(/\d+$/, '').trim() ?? '');
    const ready = headers.indexOf('Ready');
    expect(headers.slice(ready, ready + 4)).toEqual(['Ready', 'Readiness', 'Reporter security', 'Taints']);
  });

  it('names the holding rule and the failing condition for screen readers on the compact cell', async () => {
    server.use(
      http.get('*/clusters/test/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules', () => list('NodeReadinessRuleList', [rule])),
    );
    renderInHeadlamp(<NodeList />, { route: '/c/:cluster/nodes' });
    const cell = await waitFor(async () => (await row('node-b')).getByText('Held 1/1'), { timeout: 15_000 });
    expect(cell.closest('[aria-label]')?.getAttribute('aria-label')).toBe(
      'Held 1/1\nheld by network-readiness-rule\nfailing: projectcalico.org/CalicoReady=False',
    );
  });

  it('degrades to "no rules" when the NodeReadinessRule CRD is absent', async () => {
    server.use(http.get('*/clusters/test/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules', notFound));
    window.history.pushState({}, '', '/c/test2/nodes');
    renderInHeadlamp(<NodeList />, { route: '/c/:cluster/nodes' });
    await waitFor(async () => expect((await row('node-b')).getByText('No rules')).toBeTruthy(), { timeout: 15_000 });
  });
});

describe('The Blockers view', () => {
  it('counts held nodes per (rule, condition), links each node and says how long the longest has waited', async () => {
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000 - 60_000).toISOString();
    const held = Array.from({ length: 12 }, (_, index) =>
      node(`held-${String(index).padStart(2, '0')}`, 'False', [{ ...TAINT, ...(index === 3 ? { timeAdded: threeHoursAgo } : {}) }]),
    );
    server.use(
      http.get('*/clusters/test3/api/v1/nodes', () => list('NodeList', [node('node-a', 'True', []), ...held])),
      http.get('*/clusters/test3/apis/readiness.node.x-k8s.io/v1alpha1/nodereadinessrules', () => list('NodeReadinessRuleList', [rule])),
    );
    window.history.pushState({}, '', '/c/test3/node-readiness/blockers');
    renderInHeadlamp(<BlockerList />, { path: '/c/test3/node-readiness/blockers', route: '/c/:cluster' });
    const ruleLink = await screen.findByRole('link', { name: 'network-readiness-rule' }, { timeout: 15_000 });
    const cells = within(ruleLink.closest('tr')!);
    expect(cells.getByText('projectcalico.org/CalicoReady')).toBeTruthy();
    expect(cells.getByText('12')).toBeTruthy();
    expect(cells.getByText('3h')).toBeTruthy();
    expect(cells.getByRole('link', { name: 'held-00' })).toBeTruthy();
    expect(cells.queryByRole('link', { name: 'held-10' })).toBeNull();
    expect(cells.getByText(/and 2 more/)).toBeTruthy();
    expect(cells.queryByRole('link', { name: 'node-a' })).toBeNull();
  });
});
