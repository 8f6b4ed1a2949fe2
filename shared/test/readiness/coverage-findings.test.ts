import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coverageFindings } from '../../src/index.ts';
import { loadManifests, ofKind } from '../fixtures.ts';

describe('coverageFindings', () => {
  const rule = ofKind(loadManifests('examples/cni-readiness'), 'NodeReadinessRule').find(
    (manifest) => !manifest.file.includes('dryrun'),
  )!.object;
  const node = (name: string, heartbeatMinutesAgo: number | null) => ({
    metadata: { name },
    status: {
      conditions:
        heartbeatMinutesAgo === null
          ? []
          : [
              {
                type: 'projectcalico.org/CalicoReady',
                status: 'False',
                lastHeartbeatTime: new Date(Date.now() - heartbeatMinutesAgo * 60_000).toISOString(),
              },
            ],
    },
  });
  const cases: [string, unknown[], string, RegExp][] = [
    ['present and fresh everywhere passes', [node('a', 1), node('b', 2)], 'pass', /present and fresh on all 2 targeted nodes/],
    ['a stale heartbeat warns', [node('a', 1), node('b', 30)], 'warn', /stale heartbeat on 1 of 2/],
    ['missing on a node fails', [node('a', 1), node('b', null)], 'fail', /missing on 1 of 2/],
  ];
  for (const [name, nodeList, severity, title] of cases) {
    it(name, () => {
      const [finding] = coverageFindings([rule], nodeList);
      assert.deepEqual([finding!.id, finding!.severity, finding!.subject], ['condition-coverage', severity, 'rule network-readiness-rule']);
      assert.match(finding!.title, title);
    });
  }
});
