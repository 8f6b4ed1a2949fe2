import { gatherSecurityAnswers, postureQuestions, RBAC_FALLBACK_NOTE } from '@kubectl-readiness/shared';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { reporterDaemonSet } from '../../shared/test/workloads';

const proxy = vi.hoisted(() => ({ request: vi.fn(), post: vi.fn() }));
vi.mock('@kinvolk/headlamp-plugin/lib', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ApiProxy: proxy,
}));

const { clusterReader } = await import('../src/api/clusterReader');

const REPORTER_ACCOUNT = { namespace: 'readiness', name: 'condition-reporter' };
const NODES = [{ metadata: { name: 'node-a' } }, { metadata: { name: 'node-b' } }];

const forbidden = () => Object.assign(new Error('forbidden'), { status: 403 });
/** The reader asks Headlamp for text and parses it itself, so every answer is a Response. */
const json = (body: unknown) => new Response(JSON.stringify(body));

/** A cluster that answers the plugin's reads; `refuse` names the reads the viewer may not make. */
function answerReads(refuse: { reviews?: boolean; rbac?: boolean } = {}) {
  proxy.request.mockImplementation(async (url: string) => {
    const path = url.split('?')[0];
    if (path === '/version') return json({ gitVersion: 'v1.36.0' });
    if (path === '/metrics') return new Response('kubernetes_feature_enabled{name="ConstrainedImpersonation",stage="BETA"} 1\n');
    if (path === '/apis/apps/v1/daemonsets')
      return json({
        items: [
          reporterDaemonSet('network-reporter', 'example.com/NetworkReady', REPORTER_ACCOUNT),
          reporterDaemonSet('storage-reporter', 'example.com/StorageReady', REPORTER_ACCOUNT),
        ],
      });
    if (path.startsWith('/apis/rbac.authorization.k8s.io/')) {
      if (refuse.rbac) throw forbidden();
      return json({ items: [] });
    }
    return json({ items: [] });
  });
  proxy.post.mockImplementation(async () => {
    if (refuse.reviews) throw forbidden();
    return { status: { allowed: false } };
  });
}

describe("Headlamp's ClusterReader", () => {
  beforeEach(() => {
    proxy.request.mockReset();
    proxy.post.mockReset();
  });

  it('through the core, asks each ServiceAccount its questions once, never logging the viewer out', async () => {
    answerReads();
    const answers = await gatherSecurityAnswers(clusterReader('test'), { nodes: NODES });
    expect(answers.source).toBe('reviews');
    expect(answers.gate).toBe('enabled');
    expect(proxy.post).toHaveBeenCalledTimes(postureQuestions(REPORTER_ACCOUNT, { ownNode: 'node-a', otherNode: 'node-b' }).length);
    for (const call of [...proxy.request.mock.calls, ...proxy.post.mock.calls])
      expect(call.find((argument: unknown) => (argument as { cluster?: string })?.cluster === 'test')).toMatchObject({
        autoLogoutOnAuthError: false,
      });
  });

  it.each([401, 403, 404])('turns a %i into a refusal the core falls back on', async (status) => {
    answerReads();
    proxy.post.mockImplementation(async () => {
      throw Object.assign(new Error('refused'), { status });
    });
    const answers = await gatherSecurityAnswers(clusterReader('test'), { nodes: NODES });
    expect(answers.source).toBe('rbac');
    expect(answers.notes).toContain(RBAC_FALLBACK_NOTE);
  });

  it('is unverified, with the reason, when neither reviews nor RBAC objects may be read', async () => {
    answerReads({ reviews: true, rbac: true });
    const answers = await gatherSecurityAnswers(clusterReader('test'), { nodes: NODES });
    expect(answers.source).toBe('unverified');
    expect(answers.unverifiedReason).toMatch(/needs create on subjectaccessreviews/);
  });

  it('keeps errors that are not refusals as errors', async () => {
    proxy.request.mockRejectedValue(Object.assign(new Error('Internal Server Error'), { status: 500 }));
    await expect(clusterReader('test').getJSON('/version')).rejects.toThrow('Internal Server Error');
  });

  it('reads JSON as text, so a refusal with a plain-text body is not logged by Headlamp as a broken error', async () => {
    proxy.request.mockResolvedValue(json({ gitVersion: 'v1.36.0' }));
    expect(await clusterReader('test').getJSON('/version')).toEqual({ ok: true, value: { gitVersion: 'v1.36.0' } });
    expect(proxy.request.mock.calls[0]![1]).toMatchObject({ isJSON: false });
  });

  it('lists page by page, as kubectl does', async () => {
    proxy.request.mockImplementation(async (url: string) => {
      const query = new URLSearchParams(url.split('?')[1]);
      expect(query.get('limit')).toBe('500');
      return json(
        query.get('continue') === 'page-2' ? { items: ['c'], metadata: {} } : { items: ['a', 'b'], metadata: { continue: 'page-2' } },
      );
    });
    expect(await clusterReader('test').list('/apis/apps/v1/daemonsets')).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(proxy.request).toHaveBeenCalledTimes(2);
  });
});
