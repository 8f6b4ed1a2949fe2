// `kubectl readiness verify`: the seeds' security verification, automated and
// extended. Requests: one paginated node list, the workload and rule lists, and
// a fixed number of SubjectAccessReviews per reporter; never one per node.
import {
  POSTURE_TITLES,
  answerPostureQuestions,
  assessReporter,
  clusterFindings,
  discoverReporters,
  featureGateFromMetrics,
  postureQuestions,
  rbacAnswerer,
  sampleNodes,
  verification,
  type Finding,
  type RbacObjects,
  type Reporter,
  type ReporterAssessment,
  type ReviewAnswer,
  type PostureQuestion,
} from '@kubectl-readiness/shared';
import { ApiError, type ApiClient } from './client.ts';
import { CliError, EXIT_FAILED, EXIT_OK } from './errors.ts';
import { fetchNodes, fetchRules, fetchWorkloads } from './fetch.ts';
import { inert, junit, report, serialize, table, type OutputFormat, type Painter } from './render.ts';
import type { Io } from './status.ts';

export interface VerifyOptions {
  reporters: string[];
  namespace: string;
  remediation: boolean;
  staleAfterSeconds: number;
  output: OutputFormat;
}

const REVIEW_CONCURRENCY = 4;

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

async function optional<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return null;
    throw error;
  }
}

async function readRbac(client: ApiClient): Promise<RbacObjects | null> {
  const paths = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'].map(
    (kind) => `/apis/rbac.authorization.k8s.io/v1/${kind}`,
  );
  const lists = await Promise.all(paths.map((path) => optional(async () => (await client.list<unknown>(path)).items)));
  if (lists.some((list) => list === null)) return null;
  const [clusterRoles, clusterRoleBindings, roles, roleBindings] = lists as unknown[][];
  return { clusterRoles: clusterRoles!, clusterRoleBindings: clusterRoleBindings!, roles: roles!, roleBindings: roleBindings! };
}

/** --reporter NS/SA, or daemonset/NAME / deployment/NAME in -n's namespace. */
export function selectReporters(discovered: Reporter[], wanted: string[], namespace: string): Reporter[] {
  if (wanted.length === 0) return discovered;
  return wanted.flatMap((spec) => {
    const workload = /^(daemonset|ds|deployment|deploy)\/(.+)$/i.exec(spec);
    if (workload) {
      const kind = /^dep/i.test(workload[1]!) ? 'Deployment' : 'DaemonSet';
      const found = discovered.filter(
        (reporter) =>
          reporter.workload.kind === kind && reporter.workload.name === workload[2] && reporter.workload.namespace === namespace,
      );
      if (found.length === 0) throw new CliError(`no reporter container found in ${kind} ${namespace}/${workload[2]}`);
      return found;
    }
    const serviceAccount = /^([^/]+)\/([^/]+)$/.exec(spec);
    if (!serviceAccount) throw new CliError(`--reporter "${spec}": use NAMESPACE/SERVICEACCOUNT or daemonset/NAME`);
    const [, ns, name] = serviceAccount;
    const found = discovered.filter((reporter) => reporter.serviceAccount.namespace === ns && reporter.serviceAccount.name === name);
    if (found.length > 0) return found;
    // A ServiceAccount with no workload found: judge its RBAC as if it impersonated its node, as the hardened setup intends.
    return [
      {
        workload: { kind: 'ServiceAccount', namespace: ns!, name: name! },
        container: '',
        kind: 'custom',
        serviceAccount: { namespace: ns!, name: name! },
        conditionTypes: [],
        impersonatesNode: true,
        nodeNameFromSpec: true,
        projectedToken: true,
        secretVolumes: [],
        feedsRules: [],
        evidence: ['named with --reporter; no workload found'],
        unresolved: 'no workload found for this ServiceAccount',
      },
    ];
  });
}

function paintSeverity(severity: Finding['severity'], paint: Painter): string {
  return severity === 'fail'
    ? paint('FAIL', 'red')
    : severity === 'warn'
      ? paint('WARN', 'yellow')
      : severity === 'pass'
        ? paint('PASS', 'green')
        : paint('INFO', 'gray');
}

export async function runVerify(client: ApiClient, options: VerifyOptions, io: Io): Promise<number> {
  const version = await optional(() => client.getJSON<{ gitVersion?: string }>('/version'));
  const metrics = await optional(() => client.getText('/metrics'));
  const support = clusterFindings({
    gitVersion: version?.gitVersion ?? null,
    featureMetric: metrics === null ? null : featureGateFromMetrics(metrics),
  });
  const [nodes, rules, workloads] = await Promise.all([fetchNodes(client), fetchRules(client), fetchWorkloads(client)]);
  const notes = [rules.note, workloads.note ? `reporters: ${workloads.note}` : null].filter((note): note is string => note !== null);
  notes.forEach(io.note);
  const reporters = selectReporters(discoverReporters(workloads.items, rules.items).reporters, options.reporters, options.namespace);
  const nodeNames = sampleNodes(nodes);

  let rbac: RbacObjects | null | undefined;
  const rbacObjects = async () => (rbac === undefined ? (rbac = await readRbac(client)) : rbac);
  let fromRbac = false;
  const assessments: ReporterAssessment[] = [];
  for (const [index, reporter] of reporters.entries()) {
    io.progress(`verify: reporter ${index + 1}/${reporters.length} ${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}`);
    const questions = postureQuestions(reporter.serviceAccount, nodeNames);
    let answers: Map<string, ReviewAnswer | undefined> | null = null;
    if (!fromRbac) {
      try {
        const reviewed = await mapLimit(questions, REVIEW_CONCURRENCY, (question) => client.subjectAccessReview(question.review));
        answers = new Map(questions.map((question, index) => [question.id, reviewed[index]]));
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 403)) throw error;
        fromRbac = true;
      }
    }
    if (answers === null) {
      const firstRead = rbac === undefined;
      const objects = await rbacObjects();
      if (objects === null) {
        throw new CliError(
          'cannot check reporter security: needs create on subjectaccessreviews.authorization.k8s.io, or list on clusterroles, clusterrolebindings, roles and rolebindings',
        );
      }
      if (firstRead) io.note('not allowed to create subjectaccessreviews: results from RBAC objects only');
      const answer = rbacAnswerer(objects);
      answers = answerPostureQuestions(questions, (question: PostureQuestion) => answer(question));
    }
    const objects = await rbacObjects();
    assessments.push(
      assessReporter(reporter, {
        answers: answers as Map<PostureQuestion['id'], ReviewAnswer | undefined>,
        ...(objects ? { rbac: objects } : {}),
        gate: support.gate,
        nodes: nodeNames,
      }),
    );
  }

  io.progress(null);
  const { findings, remediations, counts, passed } = verification({
    support,
    assessments,
    rules: rules.items,
    nodes,
    notes,
    options: { staleAfterSeconds: options.staleAfterSeconds },
  });
  const postures = assessments.map(
    (assessment) =>
      `${assessment.reporter.serviceAccount.namespace}/${assessment.reporter.serviceAccount.name}: ${POSTURE_TITLES[assessment.posture.posture]}`,
  );

  if (options.output === 'junit') io.out(junit('kubectl-readiness verify', findings));
  else if (options.output === 'json' || options.output === 'yaml') {
    io.out(
      serialize(
        report('VerifyReport', {
          generatedAt: new Date().toISOString(),
          source: fromRbac ? 'rbac-objects' : 'subject-access-reviews',
          cluster: { gitVersion: version?.gitVersion ?? null, constrainedImpersonation: support.gate },
          reporters: assessments.map((assessment) => ({
            ...assessment.reporter,
            posture: assessment.posture.posture,
            reasons: assessment.posture.reasons,
          })),
          findings,
          remediation: options.remediation
            ? remediations.map((entry) => ({ serviceAccount: entry.reporter.serviceAccount, ...entry.remediation }))
            : [],
          passed,
          notes,
        }),
        options.output,
      ),
    );
  } else {
    const rows = findings.map((finding) => [
      paintSeverity(finding.severity, io.paint),
      finding.id,
      finding.subject,
      inert(finding.title),
      ...(options.output === 'wide' ? [inert(finding.evidence.join(' | '))] : []),
    ]);
    io.out(table(['SEVERITY', 'ID', 'SUBJECT', 'TITLE', ...(options.output === 'wide' ? ['EVIDENCE'] : [])], rows));
    io.out(
      `\nSummary: ${counts}${fromRbac ? ' (from RBAC objects only)' : ''}.${postures.length > 0 ? ` Reporters: ${postures.join('; ')}.` : ''}\n`,
    );
    if (options.remediation) {
      for (const { reporter, remediation } of remediations) {
        io.out(`\n# Remediation for ${reporter.serviceAccount.namespace}/${reporter.serviceAccount.name}\n${remediation.rbacYaml}`);
        if (reporter.container)
          io.out(`---\n# reporter-env-patch.yaml, then: ${remediation.patchCommand}\n${remediation.workloadPatchYaml}`);
      }
    }
  }
  return passed ? EXIT_OK : EXIT_FAILED;
}
