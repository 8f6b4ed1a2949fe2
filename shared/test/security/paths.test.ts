import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answerPostureQuestions,
  assessReporter,
  discoverReporters,
  postureQuestions,
  rbacAnswerer,
  searchEscalationPaths,
  whoElseCanLie,
  readinessAnswer,
  type ChainVerdict,
  type GateState,
  type ReadinessCapability,
} from '../../src/index.ts';
import { ofKind } from '../fixtures.ts';
import { bind, clusterRole, cniReporterSubject, hardenedWorkloads, rbacFrom, upstream } from '../rbac-fixtures.ts';

const workloads = hardenedWorkloads();

const writer = { kind: 'ServiceAccount', name: 'node-writer', namespace: 'kube-system' };
const statusWriter = [
  clusterRole('status-writer', [{ apiGroups: [''], resources: ['nodes/status'], verbs: ['update', 'patch'] }]),
  bind('ClusterRoleBinding', 'status-writer', { kind: 'ClusterRole', name: 'status-writer' }, [writer]),
];
/** A role for the reporter's ServiceAccount (or `subject`), bound cluster-wide or in `namespace`. */
const grant = (
  name: string,
  rules: Record<string, unknown>[],
  namespace?: string,
  subject: Record<string, unknown> = cniReporterSubject,
) => [
  clusterRole(name, rules),
  namespace
    ? bind('RoleBinding', name, { kind: 'ClusterRole', name }, [subject], namespace)
    : bind('ClusterRoleBinding', name, { kind: 'ClusterRole', name }, [subject]),
];
/** NRC's controller as its Helm chart deploys it: the Deployment running its image. */

interface Case {
  name: string;
  extra: Record<string, unknown>[];
  /** Each reached capability and the hows of its path; [] for none. */
  expected: [ReadinessCapability, string[]][];
  gate?: GateState;
  /** The Namespace objects; absent: not read, so every namespace is at Pod Security's default, privileged. */
  namespaces?: unknown[];
}

/** A Namespace whose Pod Security admission enforces `level`. */
const namespaceAt = (name: string, level: string) => ({
  kind: 'Namespace',
  metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': level } },
});

const cases: Case[] = [
  { name: "NRC's hardened example reaches nothing", extra: [], expected: [] },
  {
    name: 'legacy impersonation of a ServiceAccount that writes node status',
    extra: [
      ...statusWriter,
      ...grant(
        'impersonate-writer',
        [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['node-writer'] }],
        'kube-system',
      ),
    ],
    expected: [['forge-other-node-conditions', ['impersonate (legacy)']]],
  },
  {
    name: 'the same impersonation of a ServiceAccount that writes nothing',
    extra: [
      ...grant(
        'impersonate-writer',
        [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['node-writer'] }],
        'kube-system',
      ),
    ],
    expected: [],
  },
  {
    name: 'constrained impersonation of that ServiceAccount, with impersonate-on for status updates',
    extra: [
      ...statusWriter,
      ...grant(
        'sa-impersonator',
        [
          {
            apiGroups: ['authentication.k8s.io'],
            resources: ['serviceaccounts'],
            verbs: ['impersonate:serviceaccount'],
            resourceNames: ['node-writer'],
          },
        ],
        'kube-system',
      ),
      ...grant('sa-impersonate-on', [{ apiGroups: [''], resources: ['nodes/status'], verbs: ['impersonate-on:serviceaccount:update'] }]),
    ],
    expected: [['forge-other-node-conditions', ['impersonate:serviceaccount']]],
  },
  {
    name: 'constrained impersonation without impersonate-on reaches nothing',
    extra: [
      ...statusWriter,
      ...grant(
        'sa-impersonator',
        [
          {
            apiGroups: ['authentication.k8s.io'],
            resources: ['serviceaccounts'],
            verbs: ['impersonate:serviceaccount'],
            resourceNames: ['node-writer'],
          },
        ],
        'kube-system',
      ),
    ],
    expected: [],
  },
  {
    name: "minting its own token bound to another node: the reporter's grants on any node",
    extra: grant(
      'self-minter',
      [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'], resourceNames: ['cni-reporter'] }],
      'kube-system',
    ),
    expected: [['forge-other-node-conditions', ['mint a token, bound to any node, for']]],
  },
  {
    name: 'minting a token with the gate off gives nothing: associated-node is inert',
    extra: grant(
      'self-minter',
      [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'], resourceNames: ['cni-reporter'] }],
      'kube-system',
    ),
    gate: 'disabled',
    expected: [],
  },
  {
    name: 'creating DaemonSets in its namespace: pods on any node, as any ServiceAccount there',
    extra: [
      ...statusWriter,
      ...grant('ds-creator', [{ apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['create'] }], 'kube-system'),
    ],
    expected: [['forge-other-node-conditions', ['create daemonsets in kube-system, on any node (spec.nodeName):', 'running as']]],
  },
  {
    name: 'creating pods in a namespace that enforces baseline only reaches its ServiceAccounts',
    extra: [...statusWriter, ...grant('pod-creator', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }], 'default')],
    namespaces: [namespaceAt('default', 'baseline')],
    expected: [],
  },
  {
    name: 'restricted forbids a privileged pod as baseline does',
    extra: grant('pod-creator', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }], 'default'),
    namespaces: [namespaceAt('default', 'restricted')],
    expected: [],
  },
  {
    name: "creating pods where Pod Security admits privileged ones: a hostPath pod reads the node's credentials",
    extra: grant('pod-creator', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }], 'default'),
    namespaces: [namespaceAt('default', 'privileged')],
    expected: [
      [
        'forge-other-node-conditions',
        [
          'create pods in default, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
        ],
      ],
    ],
  },
  {
    name: 'a namespace without an enforce label is at the default level, privileged',
    extra: grant('job-writer', [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] }], 'default'),
    namespaces: [{ kind: 'Namespace', metadata: { name: 'default' } }],
    expected: [
      [
        'forge-other-node-conditions',
        [
          'create jobs in default, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
        ],
      ],
    ],
  },
  {
    name: 'with no Namespace read, every namespace is taken at the default level',
    extra: grant('pod-creator', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }], 'default'),
    expected: [
      [
        'forge-other-node-conditions',
        [
          'create pods in default, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
        ],
      ],
    ],
  },
  {
    name: 'cluster-wide pod creation reaches a privileged namespace no ServiceAccount names',
    extra: grant('pod-creator', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]),
    namespaces: [
      namespaceAt('kube-system', 'baseline'),
      namespaceAt('nrc-system', 'baseline'),
      { kind: 'Namespace', metadata: { name: 'scratch' } },
    ],
    // Without the gate the reporter's own token, on any node, writes nothing: only the privileged namespace leads on.
    gate: 'disabled',
    expected: [
      [
        'forge-other-node-conditions',
        [
          'create pods in scratch, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
        ],
      ],
    ],
  },
  {
    name: "patching one named Deployment rewrites its template: pods as any ServiceAccount there, or the node's identity",
    extra: grant(
      'one-deployment',
      [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'], resourceNames: ['web'] }],
      'default',
    ),
    expected: [
      [
        'forge-other-node-conditions',
        [
          'create deployments in default, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
        ],
      ],
    ],
  },
  {
    name: "any node's identity mints a token for any pod's ServiceAccount: the controller's, which lifts taints",
    extra: [
      ...grant('pod-creator', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }], 'default'),
      ...grant('controller-nodes', [{ apiGroups: [''], resources: ['nodes'], verbs: ['patch'] }], undefined, {
        kind: 'ServiceAccount',
        name: 'node-readiness-controller',
        namespace: 'nrc-system',
      }),
    ],
    namespaces: [namespaceAt('kube-system', 'baseline'), namespaceAt('nrc-system', 'baseline')],
    expected: [
      [
        'forge-other-node-conditions',
        [
          'create pods in default, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
        ],
      ],
      [
        'lift-readiness-taints',
        [
          'create pods in default, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
          'as the node its pod runs on, mint a token bound to that pod for',
        ],
      ],
      [
        'disrupt-other-nodes',
        [
          'create pods in default, on any node (spec.nodeName):',
          "a privileged pod with a hostPath of the kubelet's credentials, on any node:",
          'as the node its pod runs on, mint a token bound to that pod for',
        ],
      ],
    ],
  },
  {
    name: 'certificate signing requests it may create and approve for the kubelet signer',
    extra: grant('csr-approver', [
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['signers'],
        verbs: ['approve'],
        resourceNames: ['kubernetes.io/kube-apiserver-client-kubelet'],
      },
    ]),
    expected: [
      ['forge-other-node-conditions', ['create and approve a kubernetes.io/kube-apiserver-client-kubelet certificate signing request']],
    ],
  },
  {
    name: "approving for the plain client signer: any user and groups (a node's among them), but system:masters",
    extra: grant('api-client-approver', [
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['signers'],
        verbs: ['approve'],
        resourceNames: ['kubernetes.io/kube-apiserver-client'],
      },
    ]),
    expected: [
      [
        'forge-other-node-conditions',
        ['create and approve a kubernetes.io/kube-apiserver-client certificate signing request for CN=system:node:<name>, O=system:nodes'],
      ],
    ],
  },
  {
    name: "the plain client signer's certificate holds every group at once: a user's power and a group's together",
    extra: [
      ...grant('api-client-approver', [
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create'] },
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] },
        {
          apiGroups: ['certificates.k8s.io'],
          resources: ['signers'],
          verbs: ['approve'],
          resourceNames: ['kubernetes.io/kube-apiserver-client'],
        },
      ]),
      ...grant('ops-rules', [{ apiGroups: ['readiness.node.x-k8s.io'], resources: ['nodereadinessrules'], verbs: ['delete'] }], undefined, {
        kind: 'Group',
        name: 'ops',
      }),
      ...grant('masters-nodes', [{ apiGroups: [''], resources: ['nodes'], verbs: ['delete'] }], undefined, {
        kind: 'Group',
        name: 'system:masters',
      }),
    ],
    expected: [
      [
        'forge-other-node-conditions',
        ['create and approve a kubernetes.io/kube-apiserver-client certificate signing request for CN=system:node:<name>, O=system:nodes'],
      ],
      [
        'lift-readiness-taints',
        ['create and approve a kubernetes.io/kube-apiserver-client certificate signing request for CN=any user, O=<every group>'],
      ],
      [
        'change-rules',
        ['create and approve a kubernetes.io/kube-apiserver-client certificate signing request for CN=any user, O=<every group>'],
      ],
    ],
  },
  {
    name: 'approving for the plain client signer without the approval subresource gives nothing',
    extra: grant('api-client-no-approval', [
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] },
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['signers'],
        verbs: ['approve'],
        resourceNames: ['kubernetes.io/kube-apiserver-client'],
      },
    ]),
    expected: [],
  },
  {
    name: 'creating CSRs without approving them gives nothing',
    extra: grant('csr-creator', [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create'] }]),
    expected: [],
  },
  {
    name: 'creating CSRs that kube-controller-manager approves for nodeclient',
    extra: grant('csr-nodeclient', [
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] },
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/nodeclient'], verbs: ['create'] },
    ]),
    expected: [
      [
        'forge-other-node-conditions',
        [
          'create a kubernetes.io/kube-apiserver-client-kubelet certificate signing request, which kube-controller-manager approves for nodeclient',
        ],
      ],
    ],
  },
  {
    name: 'reading Secrets where a status writer lives: its legacy token',
    extra: [...statusWriter, ...grant('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }], 'kube-system')],
    expected: [['forge-other-node-conditions', ['read Secrets in kube-system:', 'the legacy token of']]],
  },
  {
    name: 'reading one named Secret still counts: a creator picks the name',
    extra: [
      ...statusWriter,
      ...grant('one-secret', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['chosen'] }], 'kube-system'),
    ],
    expected: [['forge-other-node-conditions', ['read Secrets in kube-system:', 'the legacy token of']]],
  },
  {
    name: "reading Secrets in kube-system: a bootstrap token, which kubeadm's bindings let ask for any node's certificate",
    extra: [
      ...grant('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], 'kube-system'),
      ...grant(
        'node-bootstrapper',
        [
          { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] },
          { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/nodeclient'], verbs: ['create'] },
        ],
        undefined,
        { kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token' },
      ),
    ],
    gate: 'disabled',
    expected: [
      [
        'forge-other-node-conditions',
        [
          'read Secrets in kube-system:',
          'the bootstrap token of',
          'create a kubernetes.io/kube-apiserver-client-kubelet certificate signing request, which kube-controller-manager approves for nodeclient',
        ],
      ],
    ],
  },
  {
    name: 'reading Secrets cluster-wide reaches kube-system too',
    extra: [
      ...grant('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
      ...grant(
        'bootstrap-csr',
        [
          {
            apiGroups: ['certificates.k8s.io'],
            resources: ['certificatesigningrequests', 'certificatesigningrequests/nodeclient'],
            verbs: ['create', 'get'],
          },
        ],
        undefined,
        {
          kind: 'Group',
          name: 'system:bootstrappers',
        },
      ),
    ],
    gate: 'disabled',
    expected: [
      [
        'forge-other-node-conditions',
        [
          'read Secrets in kube-system:',
          'the bootstrap token of',
          'create a kubernetes.io/kube-apiserver-client-kubelet certificate signing request, which kube-controller-manager approves for nodeclient',
        ],
      ],
    ],
  },
  {
    name: 'a bootstrap token whose group holds nothing gives nothing',
    extra: grant('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], 'kube-system'),
    gate: 'disabled',
    expected: [],
  },
  {
    name: 'reading Secrets where no one has power gives nothing',
    extra: [...statusWriter, ...grant('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], 'default')],
    expected: [],
  },
  {
    name: "patching an existing DaemonSet's pod template runs pods as any ServiceAccount there",
    extra: grant('ds-patcher', [{ apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['patch'] }], 'kube-system'),
    expected: [['forge-other-node-conditions', ['create daemonsets in kube-system, on any node (spec.nodeName):', 'running as']]],
  },
  {
    name: 'cordoning other nodes is a disruption, and so is lifting their taints',
    extra: grant('cordoner', [{ apiGroups: [''], resources: ['nodes'], verbs: ['patch'] }]),
    expected: [
      ['lift-readiness-taints', []],
      ['disrupt-other-nodes', []],
    ],
  },
  {
    name: 'a validating webhook it may write denies writes to other nodes',
    extra: grant('validating-writer', [
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['create'] },
    ]),
    expected: [['disrupt-other-nodes', []]],
  },
  {
    name: 'nodes/proxy: exec into a reporter pod on any node',
    extra: grant('node-proxy', [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get', 'create'] }]),
    expected: [['forge-other-node-conditions', ['exec through nodes/proxy into a pod on any node, taking the token of']]],
  },
  {
    name: 'binding itself cluster-admin',
    extra: grant('binder', [
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterrolebindings'], verbs: ['create'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['cluster-admin'] },
    ]),
    expected: [
      ['forge-other-node-conditions', ['bind itself a role with any permission']],
      ['lift-readiness-taints', ['bind itself a role with any permission']],
      ['disrupt-other-nodes', ['bind itself a role with any permission']],
      ['change-rules', ['bind itself a role with any permission']],
    ],
  },
  {
    name: 'a mutating webhook configuration it may write',
    extra: grant('webhook-writer', [
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['create'] },
    ]),
    expected: [
      ['forge-other-node-conditions', ['register a mutating webhook that rewrites any write']],
      ['lift-readiness-taints', ['register a mutating webhook that rewrites any write']],
      ['disrupt-other-nodes', ['register a mutating webhook that rewrites any write']],
      ['change-rules', ['register a mutating webhook that rewrites any write']],
    ],
  },
  {
    name: 'editing the rules directly',
    extra: grant('rule-editor', [{ apiGroups: ['readiness.node.x-k8s.io'], resources: ['nodereadinessrules'], verbs: ['patch'] }]),
    // A rule rewritten to conditions node-b meets lifts its taint there.
    expected: [
      ['lift-readiness-taints', []],
      ['change-rules', []],
    ],
  },
  {
    name: "scaling NRC's controller to zero stops gating",
    extra: grant('controller-scaler', [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }], 'nrc-system'),
    expected: [['change-rules', []]],
  },
  {
    name: 'reading Deployments where NRC runs changes nothing',
    extra: grant('deployment-reader', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] }], 'nrc-system'),
    expected: [],
  },
  {
    name: "patching another namespace's Deployments does not touch NRC's controller",
    extra: grant('deployment-patcher', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }], 'default'),
    namespaces: [namespaceAt('default', 'baseline')],
    expected: [],
  },
  {
    name: 'two hops: impersonate a ServiceAccount that mints tokens for one that writes nodes',
    extra: [
      ...statusWriter,
      ...grant(
        'impersonate-minter',
        [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['minter'] }],
        'kube-system',
      ),
      ...grant(
        'mint-writer',
        [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'], resourceNames: ['node-writer'] }],
        'kube-system',
        { kind: 'ServiceAccount', name: 'minter', namespace: 'kube-system' },
      ),
    ],
    expected: [['forge-other-node-conditions', ['impersonate (legacy)', 'mint a token, bound to any node, for']]],
  },
  {
    name: 'an impersonated identity cannot impersonate again',
    extra: [
      ...statusWriter,
      ...grant(
        'impersonate-middle',
        [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['middle'] }],
        'kube-system',
      ),
      ...grant(
        'impersonate-writer',
        [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['node-writer'] }],
        'kube-system',
        { kind: 'ServiceAccount', name: 'middle', namespace: 'kube-system' },
      ),
    ],
    expected: [],
  },
];

describe('searchEscalationPaths', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const reached = searchEscalationPaths({
        rbac: rbacFrom(upstream.constrained(), testCase.extra),
        serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
        gate: testCase.gate ?? 'enabled',
        workloads,
        otherNode: 'node-b',
        namespaces: testCase.namespaces ?? null,
      });
      assert.deepEqual(
        reached.map((entry) => [entry.capability, entry.path.map((hop) => hop.how)]),
        testCase.expected,
      );
    });
  }
});

describe('path objects', () => {
  it('name, hop by hop, the binding and role behind each grant and the ServiceAccount it lands on', () => {
    const [reached] = searchEscalationPaths({
      rbac: rbacFrom(upstream.constrained(), [
        ...statusWriter,
        ...grant(
          'impersonate-writer',
          [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['node-writer'] }],
          'kube-system',
        ),
      ]),
      serviceAccount: { namespace: 'kube-system', name: 'cni-reporter' },
      gate: 'enabled',
      workloads,
      otherNode: 'node-b',
    });
    assert.deepEqual(reached!.path[0]!.objects, [
      { kind: 'RoleBinding', name: 'impersonate-writer', namespace: 'kube-system' },
      { kind: 'ClusterRole', name: 'impersonate-writer' },
      { kind: 'ServiceAccount', namespace: 'kube-system', name: 'node-writer' },
    ]);
    assert.deepEqual(reached!.grantObjects, [
      { kind: 'ClusterRoleBinding', name: 'status-writer' },
      { kind: 'ClusterRole', name: 'status-writer' },
    ]);
  });
});

describe('posture with escalation paths', () => {
  const nodes = { ownNode: 'node-a', otherNode: 'node-b' };
  const [reporter] = discoverReporters(workloads, []).reporters;
  const assess = (extra: Record<string, unknown>[]) => {
    const rbac = rbacFrom(upstream.constrained(), extra);
    const answers = answerPostureQuestions(postureQuestions(reporter!.serviceAccount, nodes), rbacAnswerer(rbac));
    return assessReporter(reporter!, { answers, rbac, nodes, gate: 'enabled', workloads });
  };

  it('is never "constrained" while a path to another node is open, and names the path', () => {
    const assessment = assess([
      ...statusWriter,
      ...grant(
        'impersonate-writer',
        [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: ['node-writer'] }],
        'kube-system',
      ),
    ]);
    assert.equal(assessment.posture, 'escalation');
    const finding = assessment.findings.find((entry) => entry.id === 'escalation-path');
    assert.equal(finding?.severity, 'fail');
    assert.match(finding!.title, /rewrite another node's conditions: impersonate \(legacy\) ServiceAccount kube-system\/node-writer/);
    assert.ok(finding!.evidence.some((line) => /RoleBinding impersonate-writer in kube-system/.test(line)));
  });

  it('stays "constrained" on the hardened example, with a matrix where only its own conditions are reachable', () => {
    const assessment = assess([]);
    assert.equal(assessment.posture, 'constrained');
    assert.deepEqual(
      assessment.threats?.map((threat) => [threat.capability, threat.reachable, threat.expected]),
      [
        ['rewrite-own-conditions', true, true],
        ['forge-other-node-conditions', false, false],
        ['lift-readiness-taints', false, false],
        ['disrupt-other-nodes', false, false],
        ['change-rules', false, false],
      ],
    );
  });

  it('is not "constrained" when the reporter may delete other nodes directly: no direct posture names that', () => {
    const assessment = assess(grant('node-deleter', [{ apiGroups: [''], resources: ['nodes'], verbs: ['delete'] }]));
    assert.equal(assessment.posture, 'escalation');
    assert.match(
      assessment.findings.find((entry) => entry.id === 'escalation-path')!.title,
      /add taints to, cordon or delete other nodes: directly/,
    );
  });

  it('has no matrix without RBAC objects, and says the paths were not searched', () => {
    const answers = answerPostureQuestions(
      postureQuestions(reporter!.serviceAccount, nodes),
      rbacAnswerer(rbacFrom(upstream.constrained())),
    );
    const assessment = assessReporter(reporter!, { answers, nodes, gate: 'enabled', workloads });
    assert.equal(assessment.threats, null);
    assert.equal(assessment.findings.find((finding) => finding.id === 'rbac-walk')?.severity, 'warn');
  });
});

describe('whoElseCanLie', () => {
  const constrainedRoles = ofKind(upstream.constrained(), 'ClusterRole').map((manifest) => manifest.object);
  const bindConstrained = (subject: Record<string, unknown>) =>
    constrainedRoles.map((role) => {
      const name = (role['metadata'] as { name: string }).name;
      return bind('ClusterRoleBinding', `${name}-broad`, { kind: 'ClusterRole', name }, [subject]);
    });
  const ask = (extra: Record<string, unknown>[]) =>
    whoElseCanLie({
      rbac: rbacFrom(upstream.constrained(), extra),
      gate: 'enabled',
      workloads,
      otherNode: 'node-b',
      reporters: [{ namespace: 'kube-system', name: 'cni-reporter' }],
    }).map(({ subject, reached }) => [subject, reached.map((entry) => entry.capability)]);

  const cases: [string, Record<string, unknown>[], [string, string[]][]][] = [
    ["NRC's hardened example: only the reporter", [], []],
    [
      'constrained grants bound to every ServiceAccount: any pod rewrites its own node',
      bindConstrained({ kind: 'Group', name: 'system:serviceaccounts', apiGroup: 'rbac.authorization.k8s.io' }),
      [['Group system:serviceaccounts', ['rewrite-own-conditions']]],
    ],
    [
      'a user who may patch node status and the rules',
      [
        clusterRole('ops', [
          { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
          { apiGroups: ['readiness.node.x-k8s.io'], resources: ['nodereadinessrules'], verbs: ['delete'] },
        ]),
        bind('ClusterRoleBinding', 'ops', { kind: 'ClusterRole', name: 'ops' }, [
          { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' },
        ]),
      ],
      [['User alice', ['forge-other-node-conditions', 'lift-readiness-taints', 'change-rules']]],
    ],
    [
      'a ServiceAccount that only reads Secrets where a status writer lives',
      [
        ...statusWriter,
        ...grant('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }], 'kube-system', {
          kind: 'ServiceAccount',
          name: 'backup',
          namespace: 'default',
        }),
      ],
      [
        ['ServiceAccount kube-system/node-writer', ['forge-other-node-conditions']],
        ['ServiceAccount default/backup', ['forge-other-node-conditions']],
      ],
    ],
    [
      "the cluster's own machinery and administrators are not listed",
      [
        clusterRole('system:controller:node-controller', [{ apiGroups: [''], resources: ['nodes'], verbs: ['delete', 'patch'] }]),
        bind(
          'ClusterRoleBinding',
          'system:controller:node-controller',
          { kind: 'ClusterRole', name: 'system:controller:node-controller' },
          [{ kind: 'ServiceAccount', name: 'node-controller', namespace: 'kube-system' }],
        ),
        clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
        bind('ClusterRoleBinding', 'admins', { kind: 'ClusterRole', name: 'cluster-admin' }, [
          { kind: 'User', name: 'root', apiGroup: 'rbac.authorization.k8s.io' },
        ]),
      ],
      [],
    ],
  ];
  for (const [name, extra, expected] of cases) it(name, () => assert.deepEqual(ask(extra), expected));
});

describe('readinessAnswer', () => {
  const account = { namespace: 'kube-system', name: 'cni-reporter' };
  const path = [{ how: 'impersonate (legacy)', to: 'ServiceAccount kube-system/node-writer', grant: 'RoleBinding x', objects: [] }];
  const reached = [
    {
      capability: 'forge-other-node-conditions' as const,
      as: 'ServiceAccount kube-system/node-writer',
      path,
      grant: 'ClusterRoleBinding y',
      grantObjects: [],
    },
  ];
  const chain = (allowed: boolean) => ({ allowed, explanation: allowed ? 'allowed via associated-node' : 'denied' }) as ChainVerdict;
  const cases: [string, Parameters<typeof readinessAnswer>, [boolean, string, RegExp]][] = [
    [
      "its own node, and the chain allows: the reporter's job",
      ['forge-other-node-conditions', account, [], chain(true)],
      [true, "rewrite its own node's conditions", /the reporter's job/],
    ],
    [
      'its own node, and the chain denies',
      ['forge-other-node-conditions', account, reached, chain(false)],
      [false, "rewrite its own node's conditions", /^denied$/],
    ],
    [
      'another node, through a path',
      ['forge-other-node-conditions', account, reached, null],
      [
        true,
        "rewrite another node's conditions",
        /^impersonate \(legacy\) ServiceAccount kube-system\/node-writer; as .*: ClusterRoleBinding y$/,
      ],
    ],
    [
      'no path to it',
      ['lift-readiness-taints', account, reached, null],
      [false, 'lift readiness taints on any node', /no escalation path from kube-system\/cni-reporter's token reaches it/],
    ],
  ];
  for (const [name, args, [allowed, question, why]] of cases)
    it(name, () => {
      const answer = readinessAnswer(...args);
      assert.deepEqual([answer.allowed, answer.question], [allowed, question]);
      assert.match(answer.why, why);
    });
});
