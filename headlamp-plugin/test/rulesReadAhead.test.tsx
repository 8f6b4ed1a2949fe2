// The rules the Nodes table reads ahead, in Headlamp's real Nodes list: read
// as the table is set up, and not again while a cell already holds Headlamp's
// watched rule list (Headlamp re-runs the columns processor as the table
// updates, which on a 5,000-node cluster is many times a minute).
import '@kinvolk/headlamp-plugin/lib';
import '../src/index';
import NodeList from '@kinvolk/headlamp-plugin/lib/components/node/List';
import { RULES_API_PATH } from '@kubectl-readiness/shared';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import React from 'react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readinessColumnsProcessor } from '../src/components/nodes/columns';
import { renderInHeadlamp } from './render';

const proxy = vi.hoisted(() => ({ request: vi.fn(), post: vi.fn() }));
vi.mock('@kinvolk/headlamp-plugin/lib', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ApiProxy: proxy,
  // lib 0.14 has none; index.tsx registers relations only where Headlamp offers them.
  registerResourceRelationProvider: undefined,
}));

const CLUSTER = 'ahead';
const TAINT = { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule', value: 'pending' };
const now = new Date().toISOString();
const node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-b', uid: 'node-b', resourceVersion: '1', creationTimestamp: now },
  spec: { taints: [TAINT] },
  status: {
    conditions: [{ type: 'example.com/NetworkReady', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now }],
    addresses: [],
    capacity: { cpu: '4', memory: '8Gi' },
    allocatable: { cpu: '4', memory: '8Gi' },
  },
};
const rule = {
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name: 'network-readiness-rule', uid: 'r1', resourceVersion: '1', creationTimestamp: now },
  spec: { conditions: [{ type: 'example.com/NetworkReady', requiredStatus: 'True' }], taint: TAINT, enforcementMode: 'continuous' },
};
const list = (kind: string, items: object[]) => HttpResponse.json({ kind, apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });

let watchedListsServed = 0;
const server = setupServer(
  http.get(`*/clusters/${CLUSTER}/api/v1/nodes`, () => list('NodeList', [node])),
  http.get(`*/clusters/${CLUSTER}${RULES_API_PATH}`, () => {
    watchedListsServed++;
    return list('NodeReadinessRuleList', [rule]);
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => server.close());

// The read ahead goes through Headlamp's ApiProxy; everything else the cells ask it for is refused.
proxy.request.mockImplementation(async (path: string) => {
  if (path.split('?')[0] === RULES_API_PATH) return new Response(JSON.stringify({ items: [rule] }));
  throw Object.assign(new Error('forbidden'), { status: 403 });
});
proxy.post.mockRejectedValue(Object.assign(new Error('forbidden'), { status: 403 }));
const readsAhead = () => proxy.request.mock.calls.filter(([path]) => String(path).split('?')[0] === RULES_API_PATH).length;

/** Headlamp running the processor again, later than a read ahead is reused for. */
function processorRunsAgainLater(): void {
  const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 60_000);
  readinessColumnsProcessor({ id: 'headlamp-nodes', columns: ['name'] });
  clock.mockRestore();
}

describe("the rules the Nodes table reads ahead of Headlamp's rows", () => {
  it('are read as the table is set up, not again while a cell holds the watched list, and again once no table does', async () => {
    window.history.pushState({}, '', `/c/${CLUSTER}/nodes`);
    const view = renderInHeadlamp(<NodeList />, { path: `/c/${CLUSTER}/nodes`, route: '/c/:cluster/nodes' });
    const link = await screen.findByRole('link', { name: 'node-b' }, { timeout: 15_000 });
    await waitFor(() => expect(within(link.closest('tr')!).getByText('Held 1/1')).toBeTruthy(), { timeout: 15_000 });
    await waitFor(() => expect(watchedListsServed).toBeGreaterThan(0), { timeout: 15_000 });
    const setUp = readsAhead();
    expect(setUp).toBeGreaterThan(0);

    processorRunsAgainLater();
    expect(readsAhead()).toBe(setUp);

    view.unmount();
    processorRunsAgainLater();
    expect(readsAhead()).toBe(setUp + 1);
  });
});
