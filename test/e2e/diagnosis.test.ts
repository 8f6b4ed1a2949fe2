// The hard cases of "why is this node not ready?", each made for real on the
// local cluster with NRC's own controller and reporter, the DaemonSet and
// Deployment controllers and the scheduler; and each diagnosis checked by
// doing what it says: the toleration it names lets the DaemonSet controller
// place the pod, the writes it says are refused are refused and the grants it
// names let them through, and restarting the controller it says is not
// acting releases the node.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { startCluster, type Cluster } from '../cluster/cluster.ts';
import { TAINT, loadScenario, startController, tokenBoundTo } from '../cluster/scenario.ts';
import { startReporters, type Reporters } from '../cluster/reporters.ts';
import { apiRequest } from '../cluster/requests.ts';
import { cliAsync } from './cli-runner.ts';
import { waitFor } from './wait.ts';

interface Finding {
  id: string;
  severity: string;
  title: string;
  subject: string;
  remediation: string;
}

interface Blocker {
  rule: string;
  condition: string;
  nodes: string[];
  longestHold: { rule: string; seconds: number } | null;
}

interface StatusNode {
  node: string;
  rootCause: Finding | null;
  findings: Finding[];
  held: { rule: string; source: string; since: string; seconds: number; atLeast: boolean }[];
}

const resultsDir = join(import.meta.dirname, 'results');

const GPU = { condition: 'example.com/GPUReady', taint: 'readiness.k8s.io/GPUReady' };

const gpuRule = {
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name: 'gpu-readiness' },
  spec: {
    conditions: [{ type: GPU.condition, requiredStatus: 'True' }],
    enforcementMode: 'continuous',
    taint: { key: GPU.taint, effect: 'NoSchedule' },
    nodeSelector: { matchLabels: { gpu: 'true' } },
  },
};

const storageRule = {
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name: 'storage-readiness' },
  spec: {
    conditions: [{ type: 'example.com/StorageReady', requiredStatus: 'True' }],
    enforcementMode: 'continuous',
    taint: { key: 'readiness.k8s.io/StorageReady', effect: 'NoSchedule', value: 'v1' },
    nodeSelector: { matchLabels: { storage: 'true' } },
  },
};

/** A DaemonSet or Deployment whose pods carry `app: name`. */
function workload(kind: 'DaemonSet' | 'Deployment', namespace: string, name: string, podSpec: object, extra: object = {}) {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace },
    spec: {
      ...extra,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec },
    },
  };
}

/** A GPU reporter as a user might first write it: NRC's reporter image, no toleration. */
const gpuReporter = workload('DaemonSet', 'kube-system', 'gpu-reporter', {
  nodeSelector: { gpu: 'true' },
  containers: [
    {
      name: 'reporter',
      image: 'registry.k8s.io/node-readiness-controller/node-readiness-reporter:v0.1.1',
      env: [{ name: 'CONDITION_TYPE', value: GPU.condition }],
    },
  ],
});

const clusterAutoscaler = (flags: string[]) =>
  workload(
    'Deployment',
    'kube-system',
    'cluster-autoscaler',
    {
      containers: [
        {
          name: 'cluster-autoscaler',
          image: 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.0',
          command: ['./cluster-autoscaler', '--cloud-provider=clusterapi', ...flags],
        },
      ],
    },
    { replicas: 0 },
  );

/** Karpenter's NodePool CRD, cut to what a NodePool object needs to be stored. */
const nodePoolCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'nodepools.karpenter.sh' },
  spec: {
    group: 'karpenter.sh',
    scope: 'Cluster',
    names: { kind: 'NodePool', plural: 'nodepools', singular: 'nodepool', listKind: 'NodePoolList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const nodePool = (startupTaints: unknown[]) => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'general' },
  spec: {
    template: {
      spec: {
        startupTaints,
        requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }],
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
      },
    },
  },
});

describe('why is this node not ready: the hard cases, on the real cluster', () => {
  let cluster: Cluster;
  let reporters: Reporters;
  let controller: { stop(): Promise<void> };
  let env: Record<string, string>;
  let recorded = 0;
  const apply = (object: unknown) => cluster.kubectlOk(['apply', '-f', '-'], stringify(object));
  /** The text a user sees for the case, kept in e2e/results for the README. */
  const record = async (name: string, args: string[]): Promise<string> => {
    const result = await cliAsync(args, env);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `diagnosis-${name}.txt`), `$ kubectl readiness ${args.join(' ')}\n${result.stdout}`);
    return result.stdout;
  };
  const status = async (node: string, ...flags: string[]): Promise<StatusNode> => {
    await record(`${node}-${recorded++}`, ['status', node, ...flags]);
    const result = await cliAsync(['status', node, '-o', 'json', ...flags], env);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout) as { nodes: StatusNode[] }).nodes[0]!;
  };
  const verifyFindings = async (): Promise<Finding[]> => {
    const result = await cliAsync(['verify', '-o', 'json'], env);
    assert.ok(result.code === 0 || result.code === 1, result.stderr);
    return (JSON.parse(result.stdout) as { findings: Finding[] }).findings;
  };
  const taintKeys = async (node: string) =>
    (await cluster.kubectlOk(['get', 'node', node, '-o', 'jsonpath={.spec.taints[*].key}'])).split(' ').filter(Boolean);
  const patchGpuReporter = (type: 'merge' | 'strategic', patch: string) =>
    cluster.kubectlOk(['-n', 'kube-system', 'patch', 'daemonset', 'gpu-reporter', `--type=${type}`, '-p', patch]);
  const gpuDaemonSet = async () =>
    JSON.parse(await cluster.kubectlOk(['-n', 'kube-system', 'get', 'daemonset', 'gpu-reporter', '-o', 'json'])) as {
      metadata: { generation: number };
      status: { observedGeneration?: number; desiredNumberScheduled?: number };
    };
  /** What the DaemonSet controller decided for the current spec: how many nodes should run the pod. */
  const desiredGpuPods = () =>
    waitFor('the DaemonSet controller to observe gpu-reporter', async () => {
      const daemonSet = await gpuDaemonSet();
      return daemonSet.status.observedGeneration === daemonSet.metadata.generation
        ? (daemonSet.status.desiredNumberScheduled ?? 0)
        : undefined;
    });
  const gpuPods = async () =>
    JSON.parse(await cluster.kubectlOk(['-n', 'kube-system', 'get', 'pods', '-l', 'app=gpu-reporter', '-o', 'json'])) as {
      items: {
        metadata: { name: string; uid: string; deletionTimestamp?: string };
        spec: { nodeName?: string; containers: { env?: { name: string }[] }[] };
        status: { phase: string };
      }[];
    };

  /** The gpu-reporter pod running on the node, and whether its container impersonates the node. */
  const gpuPodOn = async (node: string) => {
    const pod = (await gpuPods()).items.find(
      (candidate) => candidate.spec.nodeName === node && candidate.status.phase === 'Running' && !candidate.metadata.deletionTimestamp,
    );
    return pod && { ...pod.metadata, impersonates: pod.spec.containers[0]!.env?.some((env) => env.name === 'IMPERSONATE_NODE') ?? false };
  };
  /**
   * NRC's reporter's requests on its node (updateNodeCondition: get, then
   * update status; the update as a server-side dry run) with a token bound
   * to the gpu-reporter pod there, as the kubelet would mount it.
   */
  const gpuReporterRequests = async (node: string): Promise<{ get: number; updateStatus: number }> => {
    const pod = (await gpuPodOn(node))!;
    const token = await tokenBoundTo(cluster, { namespace: 'kube-system', serviceAccount: 'default', name: pod.name, uid: pod.uid });
    const as = { token, ...(pod.impersonates ? { impersonateUser: `system:node:${node}` } : {}) };
    const get = await apiRequest(cluster, { method: 'GET', path: `/api/v1/nodes/${node}`, ...as });
    const current = JSON.parse(await cluster.kubectlOk(['get', 'node', node, '-o', 'json'])) as { metadata: Record<string, unknown> };
    // Nodes take unconditional updates: the heartbeats cannot make this one conflict.
    delete current.metadata['resourceVersion'];
    const update = await apiRequest(cluster, { method: 'PUT', path: `/api/v1/nodes/${node}/status?dryRun=All`, body: current, ...as });
    return { get: get.status, updateStatus: update.status };
  };

  before(async () => {
    cluster = await startCluster();
    const scenario = await loadScenario(cluster, 'hardened');
    controller = await startController(cluster);
    reporters = await startReporters(cluster, scenario, { 'node-a': true, 'node-b': false, 'node-c': false });
    env = { KUBECONFIG: cluster.kubeconfig };
    await waitFor('node-a released', async () => (!(await taintKeys('node-a')).includes(TAINT.key) ? true : undefined));
  });
  after(() => cluster?.stop());

  it('a reporter that says no: the root cause is its message, held for at least as long as NRC adopted the taint', async () => {
    const nodeB = await waitFor('NRC to adopt node-b', async () => {
      const found = await status('node-b');
      return found.held.length > 0 ? found : undefined;
    });
    assert.equal(nodeB.rootCause?.id, 'condition-not-met');
    assert.match(nodeB.rootCause!.title, /network-readiness-rule holds node-b: projectcalico.org\/CalicoReady is False/);
    // node-b registered with the taint, so NRC adopted it rather than adding it.
    assert.deepEqual(
      nodeB.held.map((held) => [held.rule, held.source, held.atLeast]),
      [['network-readiness-rule', 'TaintAdopted event', true]],
    );
    // The fleet view finds the same hold in its one cluster-wide list of NRC's events.
    const fleet = await cliAsync(['status', '-o', 'json'], env);
    const report = JSON.parse(fleet.stdout) as { nodes: StatusNode[]; blockers: Blocker[] };
    const fleetB = report.nodes.find((node) => node.node === 'node-b')!;
    const hold = (held: StatusNode['held']) => held.map(({ rule, source, atLeast }) => [rule, source, atLeast]);
    assert.deepEqual(hold(fleetB.held), hold(nodeB.held));
    // Ages are counted in whole seconds from each command's own clock.
    assert.ok(Math.abs(Date.parse(fleetB.held[0]!.since) - Date.parse(nodeB.held[0]!.since)) < 5_000);
    // The blocker node-b waits on carries the longest hold among its nodes, node-b's or a longer one.
    const calicoBlocker = report.blockers.find((blocker) => blocker.condition === 'projectcalico.org/CalicoReady')!;
    assert.ok(calicoBlocker.nodes.includes('node-b'), JSON.stringify(calicoBlocker));
    assert.equal(calicoBlocker.longestHold?.rule, 'network-readiness-rule');
    assert.ok(calicoBlocker.longestHold.seconds >= fleetB.held[0]!.seconds, JSON.stringify(calicoBlocker));
  });

  it('deadlock: a reporter DaemonSet without the toleration; the toleration the fix names lets the DaemonSet controller place it', async () => {
    await cluster.kubectlOk(['label', 'node', 'node-c', 'gpu=true']);
    await apply(gpuRule);
    await apply(gpuReporter);
    await waitFor('NRC to taint node-c for GPUReady', async () => ((await taintKeys('node-c')).includes(GPU.taint) ? true : undefined));
    assert.equal(await desiredGpuPods(), 0, 'the DaemonSet controller places no pod on node-c');
    // NRC records its TaintAdded event a moment after the taint: the hold's start comes from it.
    const nodeC = await waitFor('the TaintAdded event for gpu-readiness', async () => {
      const found = await status('node-c');
      return found.held.some((held) => held.rule === 'gpu-readiness') ? found : undefined;
    });
    assert.equal(nodeC.rootCause?.id, 'reporter-deadlock');
    assert.match(
      nodeC.rootCause!.title,
      /deadlock: the gpu-reporter DaemonSet does not tolerate .*readiness.k8s.io\/GPUReady:NoSchedule.*, so nothing on node-c can report example.com\/GPUReady/,
    );
    assert.ok(nodeC.held.some((held) => held.rule === 'gpu-readiness' && held.source === 'TaintAdded event' && !held.atLeast));
    const configuration = (await verifyFindings()).filter((finding) => finding.id === 'reporter-deadlock' && finding.severity === 'fail');
    assert.deepEqual(
      configuration.map((finding) => finding.subject),
      ['rule gpu-readiness'],
    );

    // Do what the fix says: each toleration from its YAML.
    const tolerations = [...nodeC.rootCause!.remediation.matchAll(/- key: (\S+)\n\s+operator: Exists\n\s+effect: (\S+)/g)].map(
      ([, key, effect]) => ({ key, operator: 'Exists', effect }),
    );
    assert.equal(tolerations.length, 2, nodeC.rootCause!.remediation);
    await patchGpuReporter('merge', JSON.stringify({ spec: { template: { spec: { tolerations } } } }));
    assert.equal(await desiredGpuPods(), 1, 'with the tolerations, node-c should run the pod');
    await waitFor('the gpu-reporter pod on node-c', async () =>
      (await gpuPods()).items.some((pod) => pod.spec.nodeName === 'node-c' && pod.status.phase === 'Running') ? true : undefined,
    );
    // Its pod runs (kwok is its kubelet), but nothing writes GPUReady, and its ServiceAccount, kube-system/default, may not.
    const refused = (await status('node-c')).rootCause!;
    assert.equal(refused.id, 'reporter-write-refused');
    assert.match(
      refused.title,
      /example.com\/GPUReady is missing: the apiserver refuses the gpu-reporter reporter's writes on node-c: get nodes node-c: denied as system:serviceaccount:kube-system:default/,
    );
    // What it predicts, done: NRC's reporter's two requests, with the pod's own token, are refused.
    assert.deepEqual(await gpuReporterRequests('node-c'), { get: 403, updateStatus: 403 });

    // The fix it names: the constrained grants for its ServiceAccount, then IMPERSONATE_NODE in its pod template.
    const [, rbacYaml, envPatch] = /\(kubectl apply -f\):\n([\s\S]*?)\nThen make it act as its node .*:\n([\s\S]*)$/.exec(
      refused.remediation,
    )!;
    await cluster.kubectlOk(['apply', '-f', '-'], rbacYaml);
    await patchGpuReporter('strategic', JSON.stringify(parse(envPatch!)));
    await waitFor('the DaemonSet controller to replace the pod on node-c', async () =>
      (await gpuPodOn('node-c'))?.impersonates ? true : undefined,
    );
    const silent = await waitFor('the diagnosis to see the writes allowed', async () => {
      const found = (await status('node-c')).rootCause!;
      return found.id === 'reporter-not-writing' ? found : undefined;
    });
    assert.match(
      silent.title,
      /example.com\/GPUReady is missing although DaemonSet kube-system\/gpu-reporter can run on node-c and the apiserver would take its writes/,
    );
    assert.deepEqual(await gpuReporterRequests('node-c'), { get: 200, updateStatus: 200 });
  });

  it('deadlock: a reporter whose nodeSelector leaves the held node out', async () => {
    await patchGpuReporter('merge', JSON.stringify({ spec: { template: { spec: { nodeSelector: { gpu: 'h100' } } } } }));
    assert.equal(await desiredGpuPods(), 0, 'the DaemonSet controller leaves node-c out');
    const nodeC = await status('node-c');
    assert.equal(nodeC.rootCause?.id, 'reporter-excluded');
    assert.match(
      nodeC.rootCause!.title,
      /gpu-reporter DaemonSet's nodeSelector gpu=h100 does not match the node's labels, so nothing on node-c can report example.com\/GPUReady/,
    );
  });

  it('a reporter pod that cannot be scheduled on the held node', async () => {
    await patchGpuReporter(
      'strategic',
      JSON.stringify({
        spec: {
          template: {
            spec: {
              nodeSelector: { gpu: 'true' },
              containers: [{ name: 'reporter', resources: { requests: { cpu: '64' } } }],
            },
          },
        },
      }),
    );
    assert.equal(await desiredGpuPods(), 1);
    await waitFor('a Pending gpu-reporter pod', async () =>
      (await gpuPods()).items.some((pod) => pod.status.phase === 'Pending') ? true : undefined,
    );
    const nodeC = await waitFor('the scheduler to give up on the pod', async () => {
      const found = await status('node-c');
      return found.rootCause?.id === 'reporter-pod-unhealthy' && /Insufficient cpu/.test(found.rootCause.title) ? found : undefined;
    });
    assert.match(nodeC.rootCause!.title, /the gpu-reporter pod on node-c is not running: Pending: 0\/3 nodes are available/);
  });

  it("a reporter pod missing on the held node: Pod Security admission refuses the DaemonSet's hostNetwork pod", async () => {
    await cluster.kubectlOk(['-n', 'kube-system', 'delete', 'daemonset', 'gpu-reporter', '--wait=false']);
    // NRC's own reporter examples run with hostNetwork, which a namespace enforcing the baseline Pod Security level refuses.
    await cluster.kubectlOk(['create', 'namespace', 'gpu-system']);
    await cluster.kubectlOk(['label', 'namespace', 'gpu-system', 'pod-security.kubernetes.io/enforce=baseline']);
    await waitFor('the ServiceAccount controller to create gpu-system/default', async () =>
      (await cluster.kubectl(['-n', 'gpu-system', 'get', 'serviceaccount', 'default'])).code === 0 ? true : undefined,
    );
    const reporter = structuredClone(gpuReporter) as typeof gpuReporter & { spec: { template: { spec: Record<string, unknown> } } };
    reporter.metadata.namespace = 'gpu-system';
    Object.assign(reporter.spec.template.spec, { hostNetwork: true, tolerations: [{ operator: 'Exists' }] });
    await apply(reporter);
    const nodeC = await waitFor("the DaemonSet controller's FailedCreate to reach the diagnosis", async () => {
      const found = await status('node-c');
      return found.rootCause?.id === 'reporter-pod-missing' && /PodSecurity/.test(found.rootCause.title) ? found : undefined;
    });
    assert.match(
      nodeC.rootCause!.title,
      /the gpu-reporter DaemonSet cannot create its pod on node-c, so example.com\/GPUReady is not reported: pods "gpu-reporter-\w+" is forbidden: violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/,
    );
    const podsInNamespace = async () =>
      (JSON.parse(await cluster.kubectlOk(['-n', 'gpu-system', 'get', 'pods', '-o', 'json'])) as { items: unknown[] }).items;
    assert.deepEqual(await podsInNamespace(), [], 'no pod exists: the diagnosis says it is missing');
    // The fix it names: make the pod admissible. Then the DaemonSet controller creates it.
    await cluster.kubectlOk(['label', '--overwrite', 'namespace', 'gpu-system', 'pod-security.kubernetes.io/enforce=privileged']);
    await cluster.kubectlOk(['-n', 'gpu-system', 'annotate', 'daemonset', 'gpu-reporter', 'readiness.test/retry=1']);
    await waitFor('the DaemonSet controller to create the pod for node-c', async () =>
      (await podsInNamespace()).length === 1 ? true : undefined,
    );
  });

  it('a condition no workload writes', async () => {
    await cluster.kubectlOk(['label', 'node', 'node-b', 'storage=true']);
    await apply(storageRule);
    await waitFor('NRC to taint node-b for StorageReady', async () =>
      (await taintKeys('node-b')).includes('readiness.k8s.io/StorageReady') ? true : undefined,
    );
    const nodeB = await waitFor('the TaintAdded event for storage-readiness', async () => {
      const found = await status('node-b');
      return found.held.some((held) => held.rule === 'storage-readiness') ? found : undefined;
    });
    assert.equal(nodeB.rootCause?.id, 'condition-unwritten');
    assert.match(nodeB.rootCause!.title, /no workload writes example.com\/StorageReady, so storage-readiness holds node-b/);
    const table = await record('fleet', ['status']);
    assert.match(table, /^RULE\s+BLOCKING CONDITION\s+NODES\s+LONGEST HELD\s+EXAMPLES$/m);
    assert.match(table, /^storage-readiness\s+example.com\/StorageReady\s+1\s+\d+[smh]\s+node-b$/m);
    const unwritten = (await verifyFindings()).filter((finding) => finding.id === 'condition-unwritten');
    assert.deepEqual(
      unwritten.map((finding) => `${finding.severity} ${finding.subject}`),
      ['fail rule storage-readiness'],
    );
  });

  it("NRC's controller stopped while a condition flips, and a rule edited meanwhile; restarting it releases the node", async () => {
    await controller.stop();
    reporters.report('node-b', true);
    await waitFor('CalicoReady True on node-b', async () =>
      (await cluster.kubectlOk([
        'get',
        'node',
        'node-b',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="projectcalico.org/CalicoReady")].status}',
      ])) === 'True'
        ? true
        : undefined,
    );
    await cluster.kubectlOk(['patch', 'nodereadinessrule', 'storage-readiness', '--type=merge', '-p', '{"spec":{"dryRun":true}}']);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.ok((await taintKeys('node-b')).includes(TAINT.key), 'with NRC stopped the taint stays');
    const nodeB = await status('node-b', '--reconcile-grace=2s');
    assert.equal(nodeB.rootCause?.id, 'controller-not-acting');
    assert.match(
      nodeB.rootCause!.title,
      /the controller is not acting: network-readiness-rule's conditions are met for \d+s but readiness.k8s.io\/NetworkReady:NoSchedule is still on/,
    );
    assert.ok(
      nodeB.findings.some((finding) => finding.id === 'rule-not-observed' && /storage-readiness's latest spec/.test(finding.title)),
    );
    assert.ok(
      (await verifyFindings()).some((finding) => finding.id === 'rule-not-observed' && finding.subject === 'rule storage-readiness'),
    );

    controller = await startController(cluster);
    await waitFor('NRC to release node-b', async () => (!(await taintKeys('node-b')).includes(TAINT.key) ? true : undefined));
    const after = await waitFor('NRC to observe the edit', async () => {
      const found = await status('node-b', '--reconcile-grace=2s');
      return found.findings.some((finding) => finding.id === 'rule-not-observed') ? undefined : found;
    });
    assert.ok(!after.findings.some((finding) => finding.id === 'controller-not-acting'));
  });

  it("NRC's controller Deployment with no available replica", async () => {
    await cluster.kubectlOk(['create', 'namespace', 'nrr-system']);
    await apply(
      workload('Deployment', 'nrr-system', 'nrr-controller-manager', {
        nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
        containers: [{ name: 'manager', image: 'registry.k8s.io/node-readiness-controller/node-readiness-controller:v0.5.0' }],
      }),
    );
    await waitFor('the Deployment controller to report it', async () => {
      const replicas = await cluster.kubectlOk([
        '-n',
        'nrr-system',
        'get',
        'deployment',
        'nrr-controller-manager',
        '-o',
        'jsonpath={.status.replicas}',
      ]);
      return replicas === '1' ? true : undefined;
    });
    const down = (await verifyFindings()).filter((finding) => finding.id === 'controller-unavailable');
    assert.deepEqual(
      down.map((finding) => `${finding.severity} ${finding.title}`),
      ["fail NRC's controller is not running: Deployment nrr-system/nrr-controller-manager has no available replica"],
    );
  });

  it('Cluster Autoscaler without, then with, the startup-taint declaration', async () => {
    const forRule = (findings: Finding[]) =>
      findings.find((finding) => finding.id === 'autoscaler-startup-taint' && finding.subject === 'rule network-readiness-rule');
    await apply(clusterAutoscaler([]));
    const missing = forRule(await verifyFindings());
    assert.equal(missing?.severity, 'fail');
    assert.match(missing!.remediation, /--startup-taint=readiness.k8s.io\/NetworkReady/);
    await apply(clusterAutoscaler(['--startup-taint=readiness.k8s.io/NetworkReady']));
    assert.equal(forRule(await verifyFindings())?.severity, 'pass');
  });

  it('a Karpenter NodePool without, then with, the startup taint', async () => {
    await apply(nodePoolCrd);
    await cluster.kubectlOk(['wait', '--for=condition=Established', 'crd/nodepools.karpenter.sh', '--timeout=30s']);
    const forRule = (findings: Finding[]) =>
      findings.find(
        (finding) =>
          finding.id === 'autoscaler-startup-taint' &&
          /Karpenter NodePool general/.test(finding.title) &&
          finding.subject === 'rule network-readiness-rule',
      );
    await apply(nodePool([]));
    const missing = forRule(await verifyFindings());
    assert.equal(missing?.severity, 'warn');
    assert.match(missing!.remediation, /startupTaints:\n- key: readiness.k8s.io\/NetworkReady\n {2}effect: NoSchedule\n {2}value: pending/);
    await apply(nodePool([{ key: TAINT.key, effect: TAINT.effect, value: TAINT.value }]));
    assert.equal(forRule(await verifyFindings())?.severity, 'pass');
    await record('verify', ['verify']);
  });
});
