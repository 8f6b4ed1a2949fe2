// Loads a scenario into the local cluster with the real kubectl: NRC's secure-reporting guide's
// hardened CNI example (NRC's upstream manifests, read in place) and its
// insecure or broken variants.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { localclusterBin, run, startCluster, type Cluster, type ClusterOptions } from './cluster.ts';
import { controllerPart } from './parts.ts';

export const upstreamDir = resolve(
  process.env['READINESS_UPSTREAM_DIR'] ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'upstream', 'node-readiness-controller'),
);

export type Variant =
  /** Constrained impersonation, exactly the hardened example of NRC's guide. */
  | 'hardened'
  /** NRC's cni-readiness example: the reporter's SA may write every node's status. */
  | 'broad'
  /** Hardened, plus legacy `impersonate` on users and groups: the SA can become any node. */
  | 'legacy-impersonation'
  /** Hardened RBAC, but the DaemonSet lacks IMPERSONATE_NODE, so the reporter acts as itself. */
  | 'no-impersonate-env'
  /** Hardened, on an apiserver started with ConstrainedImpersonation=false. */
  | 'gate-off';

export const VARIANTS: Variant[] = ['hardened', 'broad', 'legacy-impersonation', 'no-impersonate-env', 'gate-off'];
export const NODES = ['node-a', 'node-b', 'node-c'];
export const REPORTER = { namespace: 'kube-system', serviceAccount: 'cni-reporter', daemonSet: 'cni-reporter' };
export const CONDITION = 'projectcalico.org/CalicoReady';
/** The README's worked example: may the reporter on node-a rewrite node-b's status? */
export const CAN_I_REWRITE_OTHER_NODE = [
  'can-i',
  'update',
  'nodes/node-b',
  '--subresource=status',
  '--reporter',
  `${REPORTER.namespace}/${REPORTER.serviceAccount}`,
  '--on-node',
  'node-a',
];
export const TAINT = { key: 'readiness.k8s.io/NetworkReady', effect: 'NoSchedule', value: 'pending' };

/** The apiserver feature gates a variant needs. */
export function featureGatesFor(variant: Variant): string {
  return variant === 'gate-off' ? 'ConstrainedImpersonation=false' : 'ConstrainedImpersonation=true';
}

type Manifest = Record<string, unknown>;

export function readManifests(relativePath: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(upstreamDir, relativePath), 'utf8'))
    .map((document) => document.toJSON() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

const legacyImpersonation: Manifest[] = [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'cni-reporter-legacy-impersonator' },
    rules: [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'cni-reporter-legacy-impersonator' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cni-reporter-legacy-impersonator' },
    subjects: [{ kind: 'ServiceAccount', name: REPORTER.serviceAccount, namespace: REPORTER.namespace }],
  },
];

function withoutImpersonateEnv(manifests: Manifest[]): Manifest[] {
  return manifests.map((manifest) => {
    if (manifest['kind'] !== 'DaemonSet') return manifest;
    const copy = structuredClone(manifest) as { spec: { template: { spec: { containers: { env?: { name: string }[] }[] } } } };
    for (const container of copy.spec.template.spec.containers) {
      container.env = (container.env ?? []).filter((entry) => entry.name !== 'IMPERSONATE_NODE');
    }
    return copy as unknown as Manifest;
  });
}

/** The reporter workload and its RBAC for a variant. */
export function reporterManifests(variant: Variant): Manifest[] {
  const hardened = [
    ...readManifests('examples/constrained-impersonation/reporter-ds.yaml'),
    ...readManifests('examples/constrained-impersonation/rbac.yaml'),
  ];
  switch (variant) {
    case 'hardened':
    case 'gate-off':
      return hardened;
    case 'broad':
      return [
        ...readManifests('examples/cni-readiness/cni-reporter-ds.yaml'),
        ...readManifests('examples/cni-readiness/calico-rbac-node-status-patch-role.yaml'),
      ];
    case 'legacy-impersonation':
      return [...hardened, ...legacyImpersonation];
    case 'no-impersonate-env':
      return withoutImpersonateEnv(hardened);
  }
}

export function workerLabels(name: string): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'node-role.kubernetes.io/worker': '',
  };
}

/** What kwok's node stages look for: this node's kubelet is kwok. */
export const KWOK_NODE_ANNOTATION = { 'kwok.x-k8s.io/node': 'fake' };

/** A worker as its kubelet registers it: labels, capacity, versions, an address; kwok then reports it Ready and heartbeats it. */
export function workerNode(name: string, index = NODES.indexOf(name)): Manifest {
  const resources = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: workerLabels(name), annotations: KWOK_NODE_ANNOTATION },
    // Registered with the startup taint, as NRC's example kind config does for workers.
    spec: { taints: [TAINT] },
    status: {
      capacity: resources,
      allocatable: resources,
      addresses: [
        { type: 'InternalIP', address: `192.0.2.${10 + Math.max(index, 0)}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://2.1.0',
        kernelVersion: '6.12.0-amd64',
        kubeProxyVersion: '',
        kubeletVersion: 'v1.36.3',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 13 (trixie)',
        systemUUID: '',
      },
    },
  };
}

function asYaml(manifests: Manifest[]): string {
  return manifests.map((manifest) => stringify(manifest)).join('---\n');
}

export async function applyManifests(cluster: Cluster, manifests: Manifest[]): Promise<void> {
  await cluster.kubectlOk(['apply', '-f', '-'], asYaml(manifests));
}

export async function installCRD(cluster: Cluster): Promise<void> {
  await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'config/crd/bases/readiness.node.x-k8s.io_nodereadinessrules.yaml')]);
  await cluster.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/nodereadinessrules.readiness.node.x-k8s.io']);
}

export interface LoadedScenario {
  variant: Variant;
  nodes: string[];
  /** Whether the reporter DaemonSet sets IMPERSONATE_NODE=true. */
  impersonatesNode: boolean;
}

export async function loadScenario(cluster: Cluster, variant: Variant, options: { withRule?: boolean } = {}): Promise<LoadedScenario> {
  await installCRD(cluster);
  const reporter = reporterManifests(variant);
  await applyManifests(
    cluster,
    NODES.map((node) => workerNode(node)),
  );
  await applyManifests(cluster, reporter);
  // The DaemonSet controller makes a pod per node and the scheduler binds it:
  // that pod is what a pod-bound token names.
  await Promise.all(NODES.map((node) => reporterPodOn(cluster, node)));
  if (options.withRule ?? true) {
    await cluster.kubectlOk(['apply', '-f', join(upstreamDir, 'examples/constrained-impersonation/readiness-rule.yaml')]);
  }
  const daemonSet = reporter.find((manifest) => manifest['kind'] === 'DaemonSet')!;
  const env = JSON.stringify(daemonSet);
  return { variant, nodes: NODES, impersonatesNode: env.includes('"IMPERSONATE_NODE"') };
}

export interface BoundPod {
  name: string;
  uid: string;
}

/** The reporter DaemonSet's pod bound to `node`, once the scheduler has bound it. */
export async function reporterPodOn(cluster: Cluster, node: string, timeoutMs = 60_000): Promise<BoundPod> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await cluster.kubectlOk([
      '-n',
      REPORTER.namespace,
      'get',
      'pods',
      '-l',
      `app=${REPORTER.daemonSet}`,
      '--field-selector',
      `spec.nodeName=${node}`,
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.metadata.uid}{"\\n"}{end}',
    ]);
    const [name, uid] = found.trim().split('\n')[0]!.split(' ');
    if (name && uid) return { name, uid };
    if (Date.now() > deadline) throw new Error(`no ${REPORTER.daemonSet} pod was bound to ${node} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A cluster with NRC's hardened example and node-a's reporter token: where attacks start. */
export async function hardenedWithNodeAToken(options: ClusterOptions = {}): Promise<{ cluster: Cluster; token: string }> {
  const cluster = await startCluster(options);
  try {
    await loadScenario(cluster, 'hardened');
    return { cluster, token: await podBoundToken(cluster, 'node-a') };
  } catch (error) {
    // The caller never gets the cluster to stop, and its processes would keep the test file alive.
    await cluster.stop();
    throw error;
  }
}

/** A token bound to the reporter pod on `node`, as the kubelet requests it for the pod's projected volume. */
export async function podBoundToken(cluster: Cluster, node: string, seconds = 3600): Promise<string> {
  const pod = await reporterPodOn(cluster, node);
  return tokenBoundTo(cluster, { namespace: REPORTER.namespace, serviceAccount: REPORTER.serviceAccount, ...pod }, seconds);
}

/** A token for a pod's ServiceAccount bound to that pod: it carries the pod's node, as a kubelet-mounted token does. */
export async function tokenBoundTo(
  cluster: Cluster,
  pod: BoundPod & { namespace: string; serviceAccount: string },
  seconds = 3600,
): Promise<string> {
  const token = await cluster.kubectlOk([
    '-n',
    pod.namespace,
    'create',
    'token',
    pod.serviceAccount,
    '--bound-object-kind=Pod',
    `--bound-object-name=${pod.name}`,
    `--bound-object-uid=${pod.uid}`,
    `--duration=${seconds}s`,
  ]);
  return token.trim();
}

/** NRC's webhook server listens on this port, fixed in its cmd/main.go (ours uses the same): one webhook-enabled controller per host at a time. */
export const NRC_WEBHOOK_PORT = 9443;

/**
 * Starts the controller (ours, or NRC's own with READINESS_NRC_CONTROLLER)
 * against the cluster, with NRC's flags, without fixed ports, and without
 * leader election unless given its namespace; with `webhook`, also its validating webhook, serving a certificate
 * from the cluster's CA and registered as NRC's Helm chart registers it.
 */
export async function startController(
  cluster: Cluster,
  options: { webhook?: boolean; leaderElectionNamespace?: string } = {},
): Promise<{ stop(): Promise<void> }> {
  const tmp = join(cluster.stateDir, 'controller');
  const certs = join(tmp, 'k8s-webhook-server', 'serving-certs');
  mkdirSync(certs, { recursive: true });
  if (options.webhook) {
    const issued = await run(localclusterBin, ['serving-cert', cluster.stateDir, '127.0.0.1', certs]);
    if (issued.code !== 0) throw new Error(`serving-cert: ${issued.stderr}`);
  }
  const child = spawn(
    controllerPart.binary,
    [
      `--kubeconfig=${cluster.kubeconfig}`,
      '--health-probe-bind-address=127.0.0.1:0',
      '--metrics-bind-address=0',
      // With a namespace, it runs only while holding NRC's leader Lease there, as NRC's Helm chart deploys it.
      ...(options.leaderElectionNamespace
        ? ['--leader-elect=true', `--leader-election-namespace=${options.leaderElectionNamespace}`]
        : ['--leader-elect=false']),
      ...(options.webhook ? ['--enable-webhook'] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } },
  );
  child.stderr.on('data', (chunk: Buffer) => writeFileSync(join(cluster.stateDir, 'controller.log'), chunk, { flag: 'a' }));
  cluster.adopt(child);
  if (options.webhook) await registerWebhook(cluster);
  return {
    // A controller that stops while the cluster runs: what "NRC is not acting" looks like.
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** NRC's ValidatingWebhookConfiguration (config/webhook/manifests.yaml), pointed at the controller on loopback. */
async function registerWebhook(cluster: Cluster): Promise<void> {
  const caBundle = readFileSync(cluster.caFile).toString('base64');
  await cluster.kubectlOk(
    ['apply', '-f', '-'],
    stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'node-readiness-controller-validating-webhook' },
      webhooks: [
        {
          name: 'vnodereadinessrule.readiness.node.x-k8s.io',
          clientConfig: {
            url: `https://127.0.0.1:${NRC_WEBHOOK_PORT}/validate-readiness-node-x-k8s-io-v1alpha1-nodereadinessrule`,
            caBundle,
          },
          rules: [
            {
              apiGroups: ['readiness.node.x-k8s.io'],
              apiVersions: ['v1alpha1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['nodereadinessrules'],
            },
          ],
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    }),
  );
  // Until the webhook server answers, every rule write fails: wait for a dry-run create to be judged.
  for (let attempt = 0; ; attempt++) {
    const probe = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], stringify(probeRule));
    if (probe.code === 0 || !/failed calling webhook|connection refused/.test(probe.stderr)) return;
    if (attempt === 120) throw new Error(`the controller's webhook never answered: ${probe.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const probeRule = {
  apiVersion: 'readiness.node.x-k8s.io/v1alpha1',
  kind: 'NodeReadinessRule',
  metadata: { name: 'webhook-probe' },
  spec: {
    conditions: [{ type: 'example.com/Probe', requiredStatus: 'True' }],
    enforcementMode: 'continuous',
    taint: { key: 'readiness.k8s.io/Probe', effect: 'NoSchedule' },
    nodeSelector: { matchLabels: { probe: 'only' } },
  },
};
