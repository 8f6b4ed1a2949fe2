// Headlamp's own Nodes table comes first (issue 30): until Headlamp's node
// list has been answered, the plugin asks the apiserver for nothing but the
// rules its Readiness cells need. The reporter security reviews, the RBAC and
// workload lists, the two-node sample, /metrics and NRC's events wait for the
// rows, so they never share the apiserver or the browser's connections with
// that list. Proven from the apiserver's audit log of the Headlamp identity,
// on NRC's hardened example.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditedRequestsOf, type AuditEvent } from '../cluster/audit.ts';
import { HEADLAMP_CLUSTER } from '../headlamp/headlamp.ts';
import { hardenedSession, type HardenedSession } from '../headlamp/session.ts';

const WAIT = { timeout: 60_000 };
/** The core's sample of two node names for the reporter questions, not a list of the table's nodes. */
const SAMPLE_NODES = '/api/v1/nodes?limit=2';

/** What each request read or created, as the audit log names it: "list nodes", "get /metrics". */
function kindOf(event: AuditEvent): string {
  if (event.requestURI === SAMPLE_NODES) return 'sample nodes';
  // Headlamp's Nodes table also asks metrics.k8s.io for node metrics, a resource named nodes too.
  const group = event.objectRef?.apiGroup ? `${event.objectRef.apiGroup}/` : '';
  return `${event.verb} ${event.objectRef?.resource ? `${group}${event.objectRef.resource}` : event.requestURI.split('?')[0]}`;
}

/** The plugin's reads that its visible Readiness cells do not need: each must wait for Headlamp's list. */
const DEFERRED = [
  'create authorization.k8s.io/subjectaccessreviews',
  'list rbac.authorization.k8s.io/clusterroles',
  'list rbac.authorization.k8s.io/clusterrolebindings',
  'list rbac.authorization.k8s.io/roles',
  'list rbac.authorization.k8s.io/rolebindings',
  'list apps/daemonsets',
  'list apps/deployments',
  'list karpenter.sh/nodepools',
  'list events',
  'sample nodes',
  'get /metrics',
];

const receivedAt = (event: AuditEvent) => Date.parse(event.requestReceivedTimestamp ?? '');

describe("the Nodes table: Headlamp's node list first", () => {
  let session: HardenedSession;

  before(async () => {
    session = await hardenedSession();
  });

  after(async () => {
    await session?.stop();
  });

  it("sends no review, RBAC, workload or event read before Headlamp's node list is answered, and every one of them after", async () => {
    const since = Date.now();
    const context = await session.browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${session.headlamp.url}/c/${HEADLAMP_CLUSTER}/nodes`);
    // The Reporter security badges need the reviews: once they show, every deferred read has been answered.
    await page.locator('[data-posture]').first().waitFor(WAIT);
    await context.close();

    const events = auditedRequestsOf(session.cluster, session.headlamp.username).filter(
      (event) => event.stage === 'ResponseComplete' && receivedAt(event) >= since,
    );
    const tableList = events.find((event) => kindOf(event) === 'list nodes');
    assert.ok(tableList, `no list of nodes among ${events.map(kindOf).join(', ')}`);
    const answeredAt = Date.parse(tableList.stageTimestamp ?? '');
    const early = events.filter((event) => receivedAt(event) < answeredAt).map(kindOf);
    const late = events.filter((event) => receivedAt(event) > answeredAt).map(kindOf);
    assert.deepEqual(
      early.filter((kind) => DEFERRED.includes(kind)),
      [],
      `sent before Headlamp's node list was answered: ${early.join(', ')}`,
    );
    assert.deepEqual(
      DEFERRED.filter((kind) => !late.includes(kind)),
      [],
      `never sent after it: the test would prove nothing (after it: ${late.join(', ')})`,
    );
  });
});
