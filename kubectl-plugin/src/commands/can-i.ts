// `kubectl readiness can-i`: kubectl auth can-i for a reporter, through the
// whole KEP-5284 decision chain that `auth can-i` cannot express.
import {
  decideChain,
  gateOf,
  isReportersJob,
  planChain,
  readClusterFacts,
  readinessAnswer,
  reachedLedgers,
  unassessedOf,
  readNamespaces,
  readRbac,
  readWorkloads,
  searchEscalationPaths,
  type ReadinessCapability,
  type Action,
  type ChainVerdict,
  type ClusterReader,
  type GateState,
  type ReviewAnswer,
} from '@kubectl-readiness/shared';
import { Command } from 'commander';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors.ts';
import type { Io } from '../io.ts';
import { printMatrix, printReadinessAnswer, printVerdict, type MatrixRow } from '../print/can-i.ts';
import { parseOutput, type OutputFormat } from '../render.ts';
import { checkObjectName, type CommandContext, type Connection } from './context.ts';

/** RESOURCE[/NAME] with an optional group suffix: nodes/node-b, nodes.authentication.k8s.io. */
export function parseTarget(target: string, subresource: string | undefined): Action {
  const [resourcePart, ...nameParts] = target.split('/');
  if (!resourcePart) throw new CliError(`invalid RESOURCE "${target}": use RESOURCE[/NAME], e.g. nodes/node-b`);
  const dot = resourcePart.indexOf('.');
  const resource = dot < 0 ? resourcePart : resourcePart.slice(0, dot);
  const group = dot < 0 ? '' : resourcePart.slice(dot + 1);
  const name = nameParts.join('/');
  return { verb: '', group, resource, ...(subresource ? { subresource } : {}), ...(name ? { name } : {}) };
}

const MATRIX_VERBS = ['get', 'list', 'watch', 'update', 'patch'];

/** The verbs kubectl auth can-i knows; any other gets its warning, and still an answer. */
const KNOWN_VERBS = new Set([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'use',
  'bind',
  'impersonate',
  '*',
  'approve',
  'sign',
  'escalate',
  'attest',
]);

/** Questions about readiness itself, answered through the whole path search rather than one request. */
export const READINESS_QUESTIONS: Record<string, ReadinessCapability> = {
  'forge-conditions': 'forge-other-node-conditions',
  'lift-taint': 'lift-readiness-taints',
  'disrupt-node': 'disrupt-other-nodes',
  'change-rules': 'change-rules',
};

export class CanIOptions {
  verb: string | undefined;
  resource: string | undefined;
  /** VERB RESOURCE[/NAME] as one request, or the node a readiness question is about; both set by validate(). */
  action: Action | null = null;
  node = '';
  subresource: string | undefined;
  reporter = '';
  serviceAccount = { namespace: '', name: '' };
  onNode = '';
  asNode: string | undefined;
  direct = false;
  quiet = false;
  list = false;
  otherNode = '';
  output: OutputFormat = 'table';

  complete(verb: string | undefined, resource: string | undefined, flags: Record<string, unknown>, output: string | undefined): void {
    this.verb = verb;
    this.resource = resource;
    this.subresource = flags['subresource'] as string | undefined;
    this.reporter = flags['reporter'] as string;
    this.onNode = flags['onNode'] as string;
    this.asNode = flags['asNode'] as string | undefined;
    this.direct = flags['direct'] === true;
    this.quiet = flags['quiet'] === true;
    this.list = flags['list'] === true;
    this.otherNode = (flags['otherNode'] as string | undefined) ?? `${this.onNode}-other`;
    this.output = parseOutput(output, ['table', 'wide', 'json', 'yaml']);
  }

  /** Everything that can be checked without a cluster, before the kubeconfig is read. */
  validate(io: Io): void {
    const match = /^([^/]+)\/([^/]+)$/.exec(this.reporter);
    if (!match) throw new CliError(`--reporter "${this.reporter}": use NAMESPACE/SERVICEACCOUNT`);
    this.serviceAccount = { namespace: match[1]!, name: match[2]! };
    checkObjectName('--on-node', this.onNode);
    checkObjectName('--other-node', this.otherNode);
    if (this.asNode !== undefined) checkObjectName('--as-node', this.asNode);
    if (this.list) {
      if (this.verb !== undefined) throw new CliError('--list takes no VERB or RESOURCE');
      if (this.quiet || this.subresource !== undefined) throw new CliError('--list cannot be combined with --quiet or --subresource');
      return;
    }
    if (!this.verb) throw new CliError('can-i needs VERB and RESOURCE[/NAME], or --list');
    if (Object.hasOwn(READINESS_QUESTIONS, this.verb)) this.validateReadinessQuestion();
    else this.validateRequest(io);
  }

  private validateReadinessQuestion(): void {
    if (this.verb !== 'change-rules' && !this.resource) throw new CliError(`can-i ${this.verb} needs the node: NODE or nodes/NODE`);
    this.node = this.resource?.replace(/^nodes?\//, '') ?? '';
    if (this.resource) checkObjectName('NODE', this.node);
  }

  private validateRequest(io: Io): void {
    if (!this.resource) throw new CliError('can-i needs VERB and RESOURCE[/NAME], or --list');
    this.action = { ...parseTarget(this.resource, this.subresource), verb: this.verb! };
    if (!KNOWN_VERBS.has(this.verb!)) io.note(`Warning: verb '${this.verb}' is not a known verb`);
  }

  private async decide(reader: ClusterReader, gate: GateState, impersonate: string | null, action: Action): Promise<ChainVerdict> {
    const plan = planChain({ serviceAccount: this.serviceAccount, runsOn: this.onNode, impersonate, action, gate });
    const answers = new Map<string, ReviewAnswer>();
    for (const question of plan.questions) {
      const result = await reader.createSubjectAccessReview(question.review);
      if (!result.ok) {
        // A rejected credential keeps its own message; any other refusal is a missing permission.
        throw new CliError(result.status === 401 ? result.message : 'can-i needs create on subjectaccessreviews.authorization.k8s.io');
      }
      answers.set(question.step, result.value);
    }
    return decideChain(plan, (question) => answers.get(question.step));
  }

  async run({ reader }: Connection, io: Io): Promise<number> {
    const gate = gateOf(await readClusterFacts(reader));
    const body = { serviceAccount: this.serviceAccount, onNode: this.onNode, constrainedImpersonation: gate };
    if (this.list) {
      const rows: MatrixRow[] = [];
      for (const subresource of [undefined, 'status']) {
        for (const verb of MATRIX_VERBS) {
          const action = (name: string): Action => ({
            verb,
            group: '',
            resource: 'nodes',
            ...(subresource ? { subresource } : {}),
            ...(verb !== 'list' && verb !== 'watch' ? { name } : {}),
          });
          const [own, other, direct] = await Promise.all([
            this.decide(reader, gate, this.onNode, action(this.onNode)),
            this.decide(reader, gate, this.onNode, action(this.otherNode)),
            this.decide(reader, gate, null, action(this.otherNode)),
          ]);
          rows.push({
            verb,
            resource: subresource ? 'nodes/status' : 'nodes',
            own: own.allowed,
            other: other.allowed,
            direct: direct.allowed,
          });
        }
      }
      printMatrix(body, rows, this.onNode, this.otherNode, this.output, io);
      return EXIT_OK;
    }
    if (!this.action) return this.runReadinessQuestion(reader, gate, READINESS_QUESTIONS[this.verb!]!, io);
    const action = this.action;
    const impersonate = this.direct ? null : (this.asNode ?? this.onNode);
    const verdict = await this.decide(reader, gate, impersonate, action);
    if (!this.quiet) printVerdict({ ...body, impersonate }, action, verdict, this.output, io);
    if (verdict.allowed === null) throw new CliError(`could not decide: ${verdict.explanation}`);
    return verdict.allowed ? EXIT_OK : EXIT_FAILED;
  }

  /**
   * "Can the reporter on node A forge node B's conditions?": on its own node,
   * the reporter's job decides (the chain, as for update nodes/status); on
   * any other, the shortest escalation path from its token, if any.
   */
  private async runReadinessQuestion(reader: ClusterReader, gate: GateState, capability: ReadinessCapability, io: Io): Promise<number> {
    const { node } = this;
    const [rbac, { workloads }, namespaces] = await Promise.all([readRbac(reader), readWorkloads(reader), readNamespaces(reader)]);
    if (rbac === null)
      throw new CliError(
        `can-i ${this.verb} searches escalation paths: it needs list on clusterroles, clusterrolebindings, roles and rolebindings`,
      );
    const ownJob = isReportersJob(capability, node, this.onNode)
      ? await this.decide(reader, gate, this.onNode, { verb: 'update', group: '', resource: 'nodes', subresource: 'status', name: node })
      : null;
    // Asked about one node, a grant naming another is not that node's.
    const input = {
      rbac,
      serviceAccount: this.serviceAccount,
      gate,
      workloads,
      otherNode: node || 'another-node',
      onlyOtherNode: node !== '',
      namespaces,
    };
    const reached = searchEscalationPaths(input);
    const ledgers = reachedLedgers(input);
    const answer = readinessAnswer(capability, this.serviceAccount, reached, ownJob, unassessedOf(ledgers));
    if (!this.quiet) printReadinessAnswer({ serviceAccount: this.serviceAccount, onNode: this.onNode, node, ...answer }, this.output, io);
    return answer.allowed ? EXIT_OK : EXIT_FAILED;
  }
}

export function newCanICommand(context: CommandContext): Command {
  return new Command('can-i')
    .description('Can a reporter do VERB on RESOURCE[/NAME]? Answers through the whole constrained-impersonation decision chain')
    .argument('[VERB]', 'get, update, patch, ...; or a readiness question: forge-conditions, lift-taint, disrupt-node, change-rules')
    .argument('[RESOURCE]', 'RESOURCE[/NAME], e.g. nodes/node-b')
    .requiredOption('--reporter <namespace/serviceaccount>', "the reporter's ServiceAccount")
    .requiredOption('--on-node <node>', 'the node the reporter runs on (its pod-bound token carries this name)')
    .option('--subresource <name>', 'e.g. status')
    .option('--as-node <node>', 'impersonate this node instead of its own')
    .option('--direct', 'no impersonation, as with IMPERSONATE_NODE unset')
    .option('-q, --quiet', 'print nothing; only the exit code answers')
    .option('--list', 'a matrix of get/list/watch/update/patch on nodes and nodes/status')
    .option('--other-node <node>', 'the node --list uses for "other node"')
    .addHelpText(
      'after',
      `
Examples (the hardened example of NRC's secure-reporting guide):
  # no: NodeRestriction (modelled) stops a write to another node
  kubectl readiness can-i update nodes/node-b --subresource=status --reporter kube-system/cni-reporter --on-node node-a
  # yes: its own node, through associated-node impersonation
  kubectl readiness can-i update nodes/node-a --subresource=status --reporter kube-system/cni-reporter --on-node node-a
  # no: the Node authorizer lets a node read only itself
  kubectl readiness can-i get nodes/node-b --reporter kube-system/cni-reporter --on-node node-a
  # readiness questions, through every escalation path from the reporter's token
  kubectl readiness can-i forge-conditions node-b --reporter kube-system/cni-reporter --on-node node-a
  kubectl readiness can-i lift-taint node-a --reporter kube-system/cni-reporter --on-node node-a
  # every step, with each SubjectAccessReview and its answer
  kubectl readiness can-i update nodes/node-a --subresource=status --reporter kube-system/cni-reporter --on-node node-a -o wide`,
    )
    .action(async (verb: string | undefined, resource: string | undefined, flags: Record<string, unknown>, command: Command) => {
      const globals = context.flags(command);
      const io = context.io(globals);
      const options = new CanIOptions();
      options.complete(verb, resource, flags, globals.output);
      options.validate(io);
      const connection = await context.connect(globals);
      context.exit(await options.run(connection, io));
    });
}
