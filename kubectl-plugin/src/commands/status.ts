// `kubectl readiness status`: why is this node (not) accepting workloads?
import { readFileSync } from 'node:fs';
import {
  DEFAULT_RECONCILE_GRACE_SECONDS,
  DEFAULT_STALE_AFTER_SECONDS,
  blockers,
  diagnoseNodeInCluster,
  discoverReporters,
  evaluateCluster,
  gatherTaintEvents,
  heldByNode,
  metadataOf,
  nodeEssentials,
  parseRuleDocuments,
  parseSelectorString,
  readNode,
  type ClusterReadiness,
  type NodeDiagnosis,
} from '@kubectl-readiness/shared';
import { Command } from 'commander';
import { durationOption } from '../duration.ts';
import { CliError, EXIT_FAILED, EXIT_OK } from '../errors.ts';
import { fetchNodes, fetchRules } from '../fetch.ts';
import type { Io } from '../io.ts';
import { parseOutput, type OutputFormat } from '../render.ts';
import { describeNode, printStatusReport, printStatusTables, reporterLines, watchLine } from '../print/status.ts';
import { checkObjectName, collect, type CommandContext, type Connection } from './context.ts';

/** The text of a rule file, or stdin, for the what-if view. */
export function readRuleFile(path: string, readStdin: () => string): string {
  try {
    return path === '-' ? readStdin() : readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The what-if's rules; one NRC would refuse, beside `existing` too, is a usage error. */
export function parseRuleFile(path: string, text: string, existing: unknown[] = []): unknown[] {
  const parsed = parseRuleDocuments(text, existing);
  if (!parsed.ok) throw new CliError(`${path}: ${parsed.error}`);
  return parsed.rules;
}

export class StatusOptions {
  nodes: string[] = [];
  rules: string[] = [];
  selector: string | undefined;
  notReady = false;
  failIfNotReady = false;
  file: string | undefined;
  watch = false;
  staleAfterSeconds = DEFAULT_STALE_AFTER_SECONDS;
  reconcileGraceSeconds = DEFAULT_RECONCILE_GRACE_SECONDS;
  output: OutputFormat = 'table';
  /** The rules of --filename, read in validate(), checked against the cluster's in run(). */
  fileRules: unknown[] | null = null;
  fileText = '';

  complete(nodes: string[], flags: Record<string, unknown>, output: string | undefined): void {
    this.nodes = nodes;
    this.rules = flags['rule'] as string[];
    this.selector = flags['selector'] as string | undefined;
    this.notReady = flags['notReady'] === true;
    this.failIfNotReady = flags['failIfNotReady'] === true;
    this.file = flags['filename'] as string | undefined;
    this.watch = flags['watch'] === true;
    this.staleAfterSeconds = (flags['staleAfter'] as number) / 1000;
    this.reconcileGraceSeconds = (flags['reconcileGrace'] as number) / 1000;
    this.output = parseOutput(output, ['table', 'wide', 'json', 'yaml']);
  }

  /** Everything that can be checked without a cluster, before the kubeconfig is read; the rule file last, as it may wait on stdin. */
  validate(io: Io): void {
    this.nodes.forEach((node) => checkObjectName('NODE', node));
    this.rules.forEach((rule) => checkObjectName('--rule', rule));
    if (this.selector !== undefined) {
      const parsed = parseSelectorString(this.selector);
      if (!parsed.ok) throw new CliError(`invalid --selector "${this.selector}": ${parsed.error}`);
    }
    if (this.watch && (this.output === 'json' || this.output === 'yaml'))
      throw new CliError('--watch prints one line per change: it does not take -o json or yaml');
    if (this.file) {
      this.fileText = readRuleFile(this.file, io.readStdin);
      this.fileRules = parseRuleFile(this.file, this.fileText);
    }
  }

  private filter(result: ClusterReadiness, ruleNames = this.rules): ClusterReadiness {
    const rules = ruleNames.length > 0 ? result.rules.filter((summary) => ruleNames.includes(summary.rule)) : result.rules;
    const missing = ruleNames.filter((name) => !result.rules.some((summary) => summary.rule === name));
    if (missing.length > 0) throw new CliError(`rule ${missing.map((name) => `"${name}"`).join(', ')} not found`);
    const nodes = result.nodes
      .map((node) =>
        ruleNames.length > 0 ? { ...node, verdicts: node.verdicts.filter((verdict) => ruleNames.includes(verdict.rule)) } : node,
      )
      .filter((node) => this.nodes.length === 0 || this.nodes.includes(node.node))
      .filter((node) => !this.notReady || node.verdicts.some((verdict) => verdict.state === 'held'));
    return { rules, nodes };
  }

  async run({ client, reader }: Connection, io: Io): Promise<number> {
    const single = this.nodes.length === 1 && this.output !== 'json' && this.output !== 'yaml';
    // How long nodes have been held comes from NRC's taint events; one node's page reads that node's own.
    const taintEvents = single ? Promise.resolve({ events: null, notes: [] }) : gatherTaintEvents(reader);
    taintEvents.catch(() => undefined);
    const [nodes, clusterRules] = await Promise.all([fetchNodes(client, this.selector), fetchRules(client)]);
    if (clusterRules.note) io.note(clusterRules.note);
    // NRC's webhook refuses a rule whose taint another rule already manages on overlapping nodes.
    if (this.fileRules) this.fileRules = parseRuleFile(this.file!, this.fileText, clusterRules.items);
    if (this.fileRules)
      io.note(
        `what-if: ${this.fileRules.length} rule(s) from ${this.file === '-' ? 'stdin' : this.file}, evaluated against live nodes; nothing is applied`,
      );
    const unknownNodes = this.nodes.filter((name) => !nodes.some((node) => metadataOf(node).name === name));
    if (unknownNodes.length > 0) throw new CliError(`node ${unknownNodes.map((name) => `"${name}"`).join(', ')} not found`);
    const rules = this.fileRules ?? clusterRules.items;
    const now = Date.now();
    const result = this.filter(evaluateCluster(rules, nodes, { staleAfterSeconds: this.staleAfterSeconds, now }));
    for (const summary of result.rules) {
      if (summary.selectorError)
        io.note(`rule ${summary.rule}: node selector is invalid, so NRC applies it to no node: ${summary.selectorError}`);
    }

    const options = { now, reconcileGraceSeconds: this.reconcileGraceSeconds };
    const rawNode = (name: string) => nodes.find((candidate) => metadataOf(candidate).name === name);
    if (single) {
      const [node] = result.nodes;
      const { diagnosis, evidence, notes } = await diagnoseNodeInCluster(reader, rawNode(node!.node), node!, rules, options);
      const { reporters } = discoverReporters(evidence.workloads ?? [], rules, evidence.configMaps);
      io.out(describeNode(node!, diagnosis, reporterLines(node!, reporters), evidence.events ?? [], notes, io.paint));
    } else {
      const { events, notes } = await taintEvents;
      notes.forEach((note) => io.note(`held durations: ${note}`));
      const held = heldByNode(nodes, result.nodes, events, now);
      const blocking = blockers(result.nodes, held);
      if (this.output === 'json' || this.output === 'yaml') {
        // Nodes named on the command line get their full diagnosis, as `status NODE` prints it.
        const diagnoses = new Map<string, NodeDiagnosis>();
        for (const node of this.nodes.length > 0 ? result.nodes : []) {
          const found = await diagnoseNodeInCluster(reader, rawNode(node.node), node, rules, options);
          found.notes.forEach((note) => io.note(`${node.node}: ${note}`));
          diagnoses.set(node.node, found.diagnosis);
        }
        const notes = clusterRules.note ? [clusterRules.note] : [];
        printStatusReport(result, { held, blockers: blocking, diagnoses }, this.fileRules !== null, notes, this.output, io);
      } else printStatusTables(result, held, blocking, this.output, io);
    }
    return this.failIfNotReady && result.nodes.some((node) => !node.schedulable) ? EXIT_FAILED : EXIT_OK;
  }

  /** Live view: one list, then a watch; each event re-evaluates only the node it names. */
  async runWatch({ client }: Connection, io: Io, signal: AbortSignal): Promise<number> {
    const clusterRules = await fetchRules(client);
    if (clusterRules.note) io.note(clusterRules.note);
    const rules = this.fileRules ?? clusterRules.items;
    const lines = new Map<string, string>();
    const emit = (object: unknown) => {
      const evaluated = evaluateCluster(rules, [object], { staleAfterSeconds: this.staleAfterSeconds });
      const [node] = this.filter(evaluated, []).nodes;
      if (!node) return;
      const line = watchLine(node);
      if (lines.get(node.node) !== line) {
        lines.set(node.node, line);
        io.out(`${new Date().toISOString()}   ${line}\n`);
      }
    };
    const labelSelector: Record<string, string> = this.selector ? { labelSelector: this.selector } : {};
    let resourceVersion = '';
    const relist = async () => {
      const listed = await client.list('/api/v1/nodes', labelSelector, nodeEssentials);
      listed.items.forEach(emit);
      resourceVersion = listed.resourceVersion;
    };
    await relist();
    while (!signal.aborted) {
      try {
        await client.watch(
          '/api/v1/nodes',
          { resourceVersion, ...labelSelector },
          (type, object) => {
            const version = (object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
            if (version) resourceVersion = version;
            if (type === 'DELETED') {
              const name = readNode(object).name;
              lines.delete(name);
              io.out(`${new Date().toISOString()}   ${name}   deleted\n`);
            } else if (type === 'ADDED' || type === 'MODIFIED') emit(object);
          },
          signal,
        );
      } catch (error) {
        if (signal.aborted) break;
        const gone = (error as { status?: number }).status === 410;
        io.note(gone ? 'watch expired (410 Gone): listing again' : `watch interrupted: ${(error as Error).message}; reconnecting`);
        if (gone) await relist();
        else await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    return EXIT_OK;
  }
}

export function newStatusCommand(context: CommandContext): Command {
  return new Command('status')
    .description('Show which rules hold which nodes, and why; with one NODE, explain it in full')
    .argument('[NODE...]', 'nodes to show')
    .option('--rule <name>', 'only this rule (repeatable)', collect, [])
    .option('-l, --selector <selector>', 'only nodes matching this label selector')
    .option('--not-ready', 'only nodes a rule holds')
    .option('--fail-if-not-ready', 'exit 1 when a readiness taint keeps pods off a shown node')
    .option('-f, --filename <file>', "what-if: evaluate the rules in this file (or - for stdin) instead of the cluster's")
    .option('-w, --watch', 'keep watching and print each node whose readiness changes')
    .addOption(durationOption('--stale-after <duration>', 'flag condition heartbeats older than this', DEFAULT_STALE_AFTER_SECONDS * 1000))
    .addOption(
      durationOption(
        '--reconcile-grace <duration>',
        "how long the readiness taint may disagree with the conditions before NRC's controller counts as not acting",
        DEFAULT_RECONCILE_GRACE_SECONDS * 1000,
      ),
    )
    .action(async (nodes: string[], flags: Record<string, unknown>, command: Command) => {
      const globals = context.flags(command);
      const io = context.io(globals);
      const options = new StatusOptions();
      options.complete(nodes, flags, globals.output);
      options.validate(io);
      const connection = await context.connect(globals);
      if (options.watch) {
        context.watching();
        context.exit(await options.runWatch(connection, io, context.streams.interrupt ?? new AbortController().signal));
      } else context.exit(await options.run(connection, io));
    });
}
