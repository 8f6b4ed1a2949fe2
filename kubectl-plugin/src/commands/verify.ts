// `kubectl readiness verify`: NRC's secure-reporting checks, automated and
// extended. Requests: one paginated node list, the workload and rule lists,
// the RBAC lists, and a fixed number of SubjectAccessReviews per reporter
// ServiceAccount; never one per node.
import { DEFAULT_STALE_AFTER_SECONDS, gatherSecurityAnswers, securityReport, type Reporter } from '@kubectl-readiness/shared';
import { Command } from 'commander';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors.ts';
import { fetchNodes, fetchRules } from '../fetch.ts';
import type { Io } from '../io.ts';
import { printVerifyReport } from '../print/verify.ts';
import { parseOutput, type OutputFormat } from '../render.ts';
import { collect, parseSeconds, type CommandContext, type Connection } from './context.ts';

/** A --reporter value: a workload in -n's namespace, or a ServiceAccount. */
export type ReporterSpec =
  { workloadKind: 'DaemonSet' | 'Deployment'; namespace: string; name: string } | { serviceAccount: { namespace: string; name: string } };

export function parseReporterSpec(spec: string, namespace: string): ReporterSpec {
  const workload = /^(daemonset|ds|deployment|deploy)\/(.+)$/i.exec(spec);
  if (workload) return { workloadKind: /^dep/i.test(workload[1]!) ? 'Deployment' : 'DaemonSet', namespace, name: workload[2]! };
  const serviceAccount = /^([^/]+)\/([^/]+)$/.exec(spec);
  if (!serviceAccount) throw new CliError(`--reporter "${spec}": use NAMESPACE/SERVICEACCOUNT or daemonset/NAME`);
  return { serviceAccount: { namespace: serviceAccount[1]!, name: serviceAccount[2]! } };
}

/** A ServiceAccount no workload runs as: judged as if it impersonated its node, as the hardened setup intends. */
function accountOnlyReporter(serviceAccount: { namespace: string; name: string }): Reporter {
  return {
    workload: { kind: 'ServiceAccount', ...serviceAccount },
    container: '',
    kind: 'custom',
    serviceAccount,
    conditionTypes: [],
    impersonatesNode: true,
    nodeNameFromSpec: true,
    projectedToken: true,
    secretVolumes: [],
    feedsRules: [],
    identifiedBy: ['named with --reporter; no workload found'],
    unresolved: 'no workload found for this ServiceAccount',
  };
}

export function selectReporters(discovered: Reporter[], specs: ReporterSpec[]): Reporter[] {
  if (specs.length === 0) return discovered;
  return specs.flatMap((spec) => {
    if ('workloadKind' in spec) {
      const found = discovered.filter(
        ({ workload }) => workload.kind === spec.workloadKind && workload.name === spec.name && workload.namespace === spec.namespace,
      );
      if (found.length === 0) throw new CliError(`no reporter container found in ${spec.workloadKind} ${spec.namespace}/${spec.name}`);
      return found;
    }
    const { namespace, name } = spec.serviceAccount;
    const found = discovered.filter(({ serviceAccount }) => serviceAccount.namespace === namespace && serviceAccount.name === name);
    return found.length > 0 ? found : [accountOnlyReporter(spec.serviceAccount)];
  });
}

export class VerifyOptions {
  reporterFlags: string[] = [];
  reporters: ReporterSpec[] = [];
  remediation = true;
  exitZero = false;
  staleAfterSeconds = DEFAULT_STALE_AFTER_SECONDS;
  output: OutputFormat = 'table';

  complete(flags: Record<string, unknown>, output: string | undefined): void {
    this.reporterFlags = flags['reporter'] as string[];
    this.remediation = flags['remediation'] as boolean;
    this.exitZero = flags['exitZero'] === true;
    this.staleAfterSeconds = flags['staleAfter'] as number;
    this.output = parseOutput(output, ['table', 'wide', 'json', 'yaml', 'junit']);
  }

  /** --reporter values are checked before any request; workloads are read in -n's namespace. */
  validate(namespace: string): void {
    this.reporters = this.reporterFlags.map((spec) => parseReporterSpec(spec, namespace));
  }

  async run({ client, reader }: Connection, io: Io): Promise<number> {
    // Nodes first: a rejected credential ends here with its own message, before any optional read.
    const nodes = await fetchNodes(client);
    const [rules, answers] = await Promise.all([
      fetchRules(client),
      gatherSecurityAnswers(reader, {
        nodes,
        select: (discovered) => selectReporters(discovered, this.reporters),
        onProgress: (answered, asked) => io.progress(`verify: ${answered}/${asked} SubjectAccessReviews`),
      }),
    ]);
    io.progress(null);
    const notes = rules.note ? [rules.note] : [];
    const report = securityReport(answers, rules.items, nodes, { staleAfterSeconds: this.staleAfterSeconds }, notes);
    // The CLI's choice: a report with no posture behind it would read as an answer, so it is an error instead.
    if (report.source === 'unverified') throw new CliError(`cannot check reporter security: ${report.unverifiedReason}`);
    report.notes.forEach(io.note);
    printVerifyReport(report, this.output, this.remediation, io);
    return this.exitZero || report.verification.passed ? EXIT_OK : EXIT_FAILED;
  }
}

export function newVerifyCommand(context: CommandContext): Command {
  return new Command('verify')
    .description("Check every reporter's security posture, the cluster's constrained impersonation support, and condition coverage")
    .option(
      '--reporter <spec>',
      'NAMESPACE/SERVICEACCOUNT or daemonset/NAME (with -n); repeatable; default: every discovered reporter',
      collect,
      [],
    )
    .option('--remediation <bool>', 'print the remediation YAML', (value: string) => value !== 'false', true)
    .option('--exit-zero', 'exit 0 even when checks fail')
    .option(
      '--stale-after <duration>',
      'flag condition heartbeats older than this',
      parseSeconds('--stale-after'),
      DEFAULT_STALE_AFTER_SECONDS,
    )
    .action(async (flags: Record<string, unknown>, command: Command) => {
      const globals = context.flags(command);
      const options = new VerifyOptions();
      options.complete(flags, globals.output);
      const connection = await context.connect(globals);
      options.validate(connection.namespace);
      context.exit(await options.run(connection, context.io(globals)));
    });
}
