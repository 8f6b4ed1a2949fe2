// What every escalation e2e file shares: node-a's reporter token attacks
// node-b on NRC's hardened example plus one extra grant, and each attack and
// its nearest denied twin is checked against what `verify -o json` and
// `can-i` predicted. walkAttacks runs a file's pairs on one cluster.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from '../cluster/cluster.ts';
import { serviceAccountSubject, boundClusterRole } from '../cluster/rbac.ts';
import { apiRequest, putNodeStatus, type ApiResponse } from '../cluster/requests.ts';
import { REPORTER, hardenedWithNodeAToken } from '../cluster/scenario.ts';
import { cli } from './cli-runner.ts';
import { CAPABILITY_TITLES, type ReadinessCapability } from '@kubectl-readiness/shared';

export const NAMESPACE = REPORTER.namespace;
export const TARGET = 'node-b';

export interface Attack {
  name: string;
  /** Extra RBAC objects on top of the hardened example, as YAML. */
  grants: string;
  /** Performs the attack with node-a's reporter token; the last response is the write to node-b's readiness. */
  run: (cluster: Cluster, token: string) => Promise<ApiResponse>;
  capability: ReadinessCapability;
  /** The node the attack writes, when not node-b: what can-i is asked about. */
  target?: string;
  /**
   * Why a denied twin's grant is unassessed: the attack tried here fails, but
   * the grant has other uses no class walks yet, so verify may not call it
   * Constrained (and can-i answers "unassessed", not "no").
   */
  unassessed?: string;
}

export const role = (
  name: string,
  rules: string,
  subject = serviceAccountSubject(NAMESPACE, REPORTER.serviceAccount),
  namespace?: string,
) => boundClusterRole(name, rules, subject, namespace);
export const serviceAccount = (name: string) =>
  `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${name}, namespace: ${NAMESPACE}}\n`;
export const statusWriter = (account: string) =>
  `${serviceAccount(account)}---\n${role(`${account}-status`, '[{apiGroups: [""], resources: [nodes/status], verbs: [get, update]}]', serviceAccountSubject(NAMESPACE, account))}`;

/** A namespace held to Pod Security baseline, with a ServiceAccount `status-writer` that may write any node's status: there, only that account's token is in reach. */
export const baselineStatusWriter = (namespace: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: status-writer, namespace: ${namespace}}
---
${role(`${namespace}-status-writer`, '[{apiGroups: [""], resources: [nodes/status], verbs: [get, update]}]', serviceAccountSubject(namespace, 'status-writer'))}`;

/** PUT node-b's status with a forged condition, as whoever the token, the headers or the client certificate say. */
export const forgeStatus = (
  cluster: Cluster,
  token: string,
  impersonateUser?: string,
  clientCertificate?: { cert: string; key: string },
): Promise<ApiResponse> =>
  putNodeStatus(cluster, {
    node: TARGET,
    message: 'written from node-a',
    ...(token ? { token } : {}),
    ...(impersonateUser ? { impersonateUser } : {}),
    ...(clientCertificate ? { clientCertificate } : {}),
  });

export const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

/** A client CertificateSigningRequest for `signerName`, created with `token` (PEM `csr`). */
export const createCSR = (cluster: Cluster, token: string, name: string, csr: string, signerName: string): Promise<ApiResponse> =>
  apiRequest(cluster, {
    method: 'POST',
    path: CSR_PATH,
    token,
    body: {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { request: Buffer.from(csr).toString('base64'), signerName, usages: ['digital signature', 'client auth'] },
    },
  });

/** TokenRequest for a ServiceAccount, made with `token`, bound to a Node or a Pod. */
export async function mintToken(
  cluster: Cluster,
  token: string,
  account: string,
  boundTo: { kind: 'Node' | 'Pod'; name: string; uid: string },
) {
  const response = await apiRequest(cluster, {
    method: 'POST',
    path: `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${account}/token`,
    token,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { boundObjectRef: { apiVersion: 'v1', ...boundTo }, expirationSeconds: 600 },
    },
  });
  return { response, token: (response.body as { status?: { token?: string } }).status?.token ?? '' };
}

export const uidOf = async (cluster: Cluster, args: string[]) =>
  (await cluster.kubectlOk([...args, '-o', 'jsonpath={.metadata.uid}'])).trim();

/** A ServiceAccount the reporter may impersonate (legacy), holding `rules`: the first hop of several attacks. */
export const impersonated = (account: string, rules: string) =>
  `${serviceAccount(account)}---\n${role(`${account}-power`, rules, serviceAccountSubject(NAMESPACE, account))}---\n${role(
    `impersonate-${account}`,
    `[{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [${account}]}]`,
    undefined,
    NAMESPACE,
  )}`;
export const asAccount = (account: string) => `system:serviceaccount:${NAMESPACE}:${account}`;

/** The question `can-i` asks for each capability. */
export const CAN_I: Record<ReadinessCapability, string[]> = {
  'forge-other-node-conditions': ['forge-conditions', TARGET],
  'lift-readiness-taints': ['lift-taint', TARGET],
  'disrupt-other-nodes': ['disrupt-node', TARGET],
  'change-rules': ['change-rules'],
};

/** An attack and its denied twin: the same step, after a grant that works and one that leads nowhere. */
export const twins = (
  capability: ReadinessCapability,
  run: Attack['run'],
  works: [name: string, grants: string],
  denied: [name: string, grants: string, unassessed?: string],
): [Attack, Attack] => [
  { name: works[0], grants: works[1], run, capability },
  { name: denied[0], grants: denied[1], run, capability, ...(denied[2] ? { unassessed: denied[2] } : {}) },
];

/** A synthetic answer for an attack whose last step is not one request: 200 when it worked. */
export const outcome = (worked: boolean, message: string): ApiResponse => ({ status: worked ? 200 : 0, message, body: null });

export async function poll<T>(seconds: number, attempt: () => Promise<T | null>): Promise<T | null> {
  for (const deadline = Date.now() + seconds * 1000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
    const value = await attempt();
    if (value !== null) return value;
  }
  return null;
}

export interface VerifyReport {
  reporters: { posture: string }[];
  findings: { id: string; title: string }[];
}

/**
 * Runs each pair on one hardened cluster with node-a's reporter token: the
 * first attack must work, its twin must truly fail, and verify and can-i must
 * have said so. `prepare` sets up what the file's attacks need (endpoints,
 * objects) and returns how to tear it down.
 */
export function walkAttacks(
  title: string,
  attacks: [Attack, Attack][],
  prepare: (cluster: Cluster) => Promise<() => Promise<void>> = async () => async () => {},
): void {
  let predictions = 0;
  let agreements = 0;
  describe(title, () => {
    let cluster: Cluster;
    let token: string;
    let teardown: (() => Promise<void>) | undefined;
    before(async () => {
      ({ cluster, token } = await hardenedWithNodeAToken());
      teardown = await prepare(cluster);
    });
    after(async () => {
      await teardown?.();
      await cluster?.stop();
    });
    for (const pair of attacks) {
      for (const [index, attack] of pair.entries()) {
        // The first of each pair is the attack that works, the second its denied twin.
        const works = index === 0;
        it(`${attack.name}: ${works ? 'works' : 'denied'}`, async () => {
          await cluster.kubectlOk(['apply', '-f', '-'], attack.grants);
          try {
            const verify = cli(['verify', '-o', 'json', '--kubeconfig', cluster.kubeconfig]);
            const report = JSON.parse(verify.stdout) as VerifyReport;
            const titles = report.findings.filter((finding) => finding.id === 'escalation-path').map((finding) => finding.title);
            const predicted = titles.some((title) => title.includes(CAPABILITY_TITLES[attack.capability]));
            const outcome = await attack.run(cluster, token);
            const happened = outcome.status === 200 || outcome.status === 201;
            assert.equal(happened, works, `the apiserver answered ${outcome.status} ${outcome.message}`);
            predictions += 1;
            if (predicted === happened) agreements += 1;
            assert.equal(
              predicted,
              happened,
              `verify predicted ${predicted}, the apiserver answered ${outcome.status} ${outcome.message}; findings: ${titles.join(' | ')}`,
            );
            assert.equal(
              report.reporters[0]?.posture,
              happened ? 'escalation' : attack.unassessed ? 'unassessed' : 'constrained',
              attack.unassessed,
            );
            // can-i's readiness question gives the same answer, through the same search.
            const question = attack.target ? [CAN_I[attack.capability][0]!, attack.target] : CAN_I[attack.capability];
            const canI = cli([
              'can-i',
              ...question,
              '--reporter',
              `${NAMESPACE}/${REPORTER.serviceAccount}`,
              '--on-node',
              'node-a',
              '--kubeconfig',
              cluster.kubeconfig,
            ]);
            assert.equal(canI.stdout, works ? 'yes\n' : attack.unassessed ? 'unassessed\n' : 'no\n', canI.stderr);
            assert.equal(canI.code, works ? 0 : 1);
          } finally {
            await cluster.kubectlOk(['delete', '--ignore-not-found', '-f', '-'], attack.grants);
          }
        });
      }
    }
  });
  after(() => console.log(`${title}: ${agreements}/${predictions} predictions agree with the real attacks`));
}
