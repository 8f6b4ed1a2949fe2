// `kubectl readiness verify`: NRC's secure-reporting checks, automated and
// extended. Requests: one paginated node list, the workload and rule lists,
// the RBAC lists, and a fixed number of SubjectAccessReviews per reporter
// ServiceAccount; never one per node.
import { readFileSync } from 'node:fs';
import {
  DEFAULT_STALE_AFTER_SECONDS,
  KNOWN_RELEASES,
  NEWEST_KNOWN_RELEASE,
  countFindings,
  failsAt,
  gatherSecurityAnswers,
  inNamespace,
  isNewerThanKnown,
  manifestAnswers,
  metadataOf,
  newOrWorse,
  securityReport,
  sortManifests,
  type Finding,
  type Reporter,
  type SecurityReport,
} from '@kubectl-readiness/shared';
import { Command } from 'commander';
import { durationOption } from '../duration.ts';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors.ts';
import { fetchNodes, fetchRules } from '../fetch.ts';
import type { Io } from '../io.ts';
import { builtinRbacOf } from '../offline/builtin-rbac.ts';
import { loadManifests } from '../offline/load.ts';
import { positionKey, sarifLog, type Positions } from '../print/sarif.ts';
import { printVerifyReport } from '../print/verify.ts';
import { parseOutput, type OutputFormat } from '../render.ts';
import { collect, type CommandContext, type Connection } from './context.ts';

/** --kubernetes-version's default: the newest release whose facts and built-in RBAC this build carries. */
const OFFLINE_KUBERNETES_VERSION = NEWEST_KNOWN_RELEASE;

/** A --reporter value: a workload in -n's namespace (known only once the kubeconfig is read), or a ServiceAccount. */
export type ReporterSpec =
  { workloadKind: 'DaemonSet' | 'Deployment'; name: string } | { serviceAccount: { namespace: string; name: string } };

export function parseReporterSpec(spec: string): ReporterSpec {
  const workload = /^(daemonset|ds|deployment|deploy)\/(.+)$/i.exec(spec);
  if (workload) return { workloadKind: /^dep/i.test(workload[1]!) ? 'Deployment' : 'DaemonSet', name: workload[2]! };
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

export function selectReporters(discovered: Reporter[], specs: ReporterSpec[], namespace: string): Reporter[] {
  if (specs.length === 0) return discovered;
  return specs.flatMap((spec) => {
    if ('workloadKind' in spec) {
      const found = discovered.filter(
        ({ workload }) => workload.kind === spec.workloadKind && workload.name === spec.name && workload.namespace === namespace,
      );
      if (found.length === 0) throw new CliError(`no reporter container found in ${spec.workloadKind} ${namespace}/${spec.name}`);
      return found;
    }
    const account = spec.serviceAccount;
    const found = discovered.filter(
      ({ serviceAccount }) => serviceAccount.namespace === account.namespace && serviceAccount.name === account.name,
    );
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
  /** Manifests to verify instead of a cluster. */
  filenames: string[] = [];
  recursive = false;
  kubernetesVersion: string = OFFLINE_KUBERNETES_VERSION;
  /** With -f: ConstrainedImpersonation as --feature-gates sets it; null for the release's default. */
  constrainedImpersonation: boolean | null = null;
  featureGates: string | undefined;
  baselineFile: string | undefined;
  baseline: Pick<Finding, 'id' | 'subject' | 'title' | 'severity'>[] | null = null;
  failOn: 'fail' | 'warn' = 'fail';

  get offline(): boolean {
    return this.filenames.length > 0;
  }

  complete(flags: Record<string, unknown>, output: string | undefined): void {
    this.reporterFlags = flags['reporter'] as string[];
    this.remediation = flags['remediation'] as boolean;
    this.exitZero = flags['exitZero'] === true;
    this.staleAfterSeconds = (flags['staleAfter'] as number) / 1000;
    this.output = parseOutput(output, ['table', 'wide', 'json', 'yaml', 'junit', 'sarif']);
    this.filenames = flags['filename'] as string[];
    this.recursive = flags['recursive'] === true;
    this.kubernetesVersion = (flags['kubernetesVersion'] as string | undefined) ?? OFFLINE_KUBERNETES_VERSION;
    this.failOn = flags['failOn'] as 'fail' | 'warn';
    this.baselineFile = flags['baseline'] as string | undefined;
    this.featureGates = flags['featureGates'] as string | undefined;
  }

  /** Everything is checked before the kubeconfig, any request or any file of manifests is read. */
  validate(): void {
    this.reporters = this.reporterFlags.map(parseReporterSpec);
    const version = /^v?1\.(\d+)(\.\d+)?$/.exec(this.kubernetesVersion);
    if (!version) throw new CliError(`--kubernetes-version "${this.kubernetesVersion}": use a release such as ${NEWEST_KNOWN_RELEASE}`);
    this.kubernetesVersion = `1.${version[1]}`;
    if (isNewerThanKnown(this.kubernetesVersion))
      throw new CliError(
        `--kubernetes-version ${this.kubernetesVersion}: newer than the releases this build knows (${KNOWN_RELEASES.join(', ')}); upgrade kubectl-readiness`,
      );
    if (!['fail', 'warn'].includes(this.failOn)) throw new CliError(`--fail-on "${this.failOn}": use fail or warn`);
    if (this.baselineFile) this.baseline = readBaseline(this.baselineFile);
    if (this.featureGates !== undefined) {
      const gate = /^ConstrainedImpersonation=(true|false)$/.exec(this.featureGates);
      if (!gate) throw new CliError(`--feature-gates "${this.featureGates}": only ConstrainedImpersonation=true|false is read`);
      this.constrainedImpersonation = gate[1] === 'true';
    }
  }

  async run({ client, reader, namespace }: Connection, io: Io): Promise<number> {
    // Nodes first: a rejected credential ends here with its own message, before any optional read.
    const nodes = await fetchNodes(client);
    const [rules, answers] = await Promise.all([
      fetchRules(client),
      gatherSecurityAnswers(reader, {
        nodes,
        select: (discovered) => selectReporters(discovered, this.reporters, namespace),
        onProgress: (answered, asked) => io.progress(`verify: ${answered}/${asked} SubjectAccessReviews`),
      }),
    ]);
    io.progress(null);
    const notes = rules.note ? [rules.note] : [];
    const report = securityReport(answers, rules.items, nodes, { staleAfterSeconds: this.staleAfterSeconds }, notes);
    // The CLI's choice: a report with no posture behind it would read as an answer, so it is an error instead.
    if (report.source === 'unverified') throw new CliError(`cannot check reporter security: ${report.unverifiedReason}`);
    return this.finish(report, null, io);
  }

  /** The same report from manifests, with no cluster: what a pull request's CI runs. */
  runOffline(namespace: string, io: Io): number {
    const located = loadManifests(this.filenames, this.recursive, io.readStdin);
    const objects = inNamespace(
      located.map(({ object }) => object),
      namespace,
    );
    const positions: Positions = new Map(
      objects.map((object, index) => {
        const { kind } = object as { kind: string };
        const { namespace: objectNamespace, name } = metadataOf(object);
        return [
          positionKey({ kind, name, ...(objectNamespace ? { namespace: objectNamespace } : {}) }),
          { file: located[index]!.file, line: located[index]!.line },
        ];
      }),
    );
    const builtin = builtinRbacOf(this.kubernetesVersion);
    const manifests = sortManifests(objects, builtin.rbac);
    const answers = manifestAnswers(
      manifests,
      {
        kubernetesVersion: this.kubernetesVersion,
        constrainedImpersonation: this.constrainedImpersonation,
        builtinRbacRelease: builtin.release,
      },
      (discovered) => selectReporters(discovered, this.reporters, namespace),
    );
    const report = securityReport(answers, manifests.rules, manifests.nodes, { staleAfterSeconds: this.staleAfterSeconds });
    return this.finish(report, positions, io);
  }

  /** Against a baseline, only what is new or worse is shown and judged; --fail-on sets what fails. */
  private finish(report: SecurityReport, positions: Positions | null, io: Io): number {
    const all = report.verification.findings;
    const shown = this.baseline ? newOrWorse(all, this.baseline) : all;
    const failed = failsAt(shown, this.failOn);
    if (this.baseline)
      report.notes.push(`baseline ${this.baselineFile}: ${all.length - shown.length} finding(s) unchanged, better or passing`);
    report.notes.forEach(io.note);
    if (this.output === 'sarif') io.out(`${JSON.stringify(sarifLog(shown, positions), null, 2)}\n`);
    else
      printVerifyReport(
        report,
        { ...report.verification, findings: shown, counts: countFindings(shown), passed: !failed },
        this.output,
        this.remediation,
        io,
      );
    return this.exitZero || !failed ? EXIT_OK : EXIT_FAILED;
  }
}

/** strconv.ParseBool, which pflag's bool flags use: 1, t, true, 0, f, false in any of Go's spellings. */
function parseBool(flag: string) {
  return (value: string): boolean => {
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
    if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
    throw new CliError(`invalid ${flag} "${value}": use true or false`);
  };
}

/** An earlier `verify -o json` report: its findings are what "new or worse" is measured against. */
function readBaseline(file: string): Pick<Finding, 'id' | 'subject' | 'title' | 'severity'>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--baseline ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not JSON'}`);
  }
  const findings = (parsed as { kind?: unknown; findings?: unknown }).findings;
  if ((parsed as { kind?: unknown }).kind !== 'VerifyReport' || !Array.isArray(findings))
    throw new CliError(`--baseline ${file}: not a report written by verify -o json`);
  return findings as Pick<Finding, 'id' | 'subject' | 'title' | 'severity'>[];
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
    .option('--remediation <bool>', 'print the remediation YAML', parseBool('--remediation'), true)
    .option('--exit-zero', 'exit 0 even when checks fail')
    .option(
      '-f, --filename <path>',
      'verify these manifests (file, directory or - for stdin; repeatable) instead of a cluster',
      collect,
      [],
    )
    .option('-R, --recursive', 'with -f, read directories recursively')
    .option('--kubernetes-version <version>', `with -f, the Kubernetes release to assume (default ${OFFLINE_KUBERNETES_VERSION})`)
    .option(
      '--feature-gates <gates>',
      'with -f, ConstrainedImpersonation=true|false as the apiserver has it (default: the release default)',
    )
    .option('--baseline <file>', 'report only findings that are new or worse than in this earlier verify -o json report')
    .option('--fail-on <severity>', 'exit 1 on findings of this severity or worse: fail or warn', 'fail')
    .addOption(durationOption('--stale-after <duration>', 'flag condition heartbeats older than this', DEFAULT_STALE_AFTER_SECONDS * 1000))
    .action(async (flags: Record<string, unknown>, command: Command) => {
      const globals = context.flags(command);
      const options = new VerifyOptions();
      options.complete(flags, globals.output);
      options.validate();
      if (options.offline) {
        context.exit(options.runOffline(globals.namespace ?? 'default', context.io(globals)));
        return;
      }
      const connection = await context.connect(globals);
      context.exit(await options.run(connection, context.io(globals)));
    });
}
