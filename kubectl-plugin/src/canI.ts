// `kubectl readiness can-i`: kubectl auth can-i for a reporter, through the
// whole KEP-5284 decision chain that `auth can-i` cannot express.
import {
  clusterFindings,
  decideChain,
  describeAction,
  featureGateFromMetrics,
  planChain,
  type Action,
  type ChainVerdict,
  type ReviewAnswer,
} from '@kubectl-readiness/shared';
import { ApiError, type ApiClient } from './client.ts';
import { CliError, EXIT_FAILED, EXIT_OK } from './errors.ts';
import { report, serialize, table, type OutputFormat } from './render.ts';
import type { Io } from './status.ts';

export interface CanIOptions {
  verb?: string;
  resource?: string;
  subresource?: string;
  reporter: string;
  onNode: string;
  asNode?: string;
  direct: boolean;
  quiet: boolean;
  list: boolean;
  otherNode?: string;
  output: OutputFormat;
}

/** RESOURCE[/NAME] with an optional group suffix: nodes/node-b, nodes.authentication.k8s.io. */
export function parseTarget(target: string, subresource: string | undefined): Action {
  const [resourcePart, ...nameParts] = target.split('/');
  if (!resourcePart) throw new CliError(`"${target}" is not RESOURCE[/NAME]`);
  const dot = resourcePart.indexOf('.');
  const resource = dot < 0 ? resourcePart : resourcePart.slice(0, dot);
  const group = dot < 0 ? '' : resourcePart.slice(dot + 1);
  const name = nameParts.join('/');
  return { verb: '', group, resource, ...(subresource ? { subresource } : {}), ...(name ? { name } : {}) };
}

function parseReporter(spec: string): { namespace: string; name: string } {
  const match = /^([^/]+)\/([^/]+)$/.exec(spec);
  if (!match) throw new CliError(`--reporter "${spec}": use NAMESPACE/SERVICEACCOUNT`);
  return { namespace: match[1]!, name: match[2]! };
}

async function gateEnabled(client: ApiClient): Promise<boolean> {
  const read = async <T>(fetch: () => Promise<T>): Promise<T | null> => {
    try {
      return await fetch();
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) return null;
      throw error;
    }
  };
  const version = await read(() => client.getJSON<{ gitVersion?: string }>('/version'));
  const metrics = await read(() => client.getText('/metrics'));
  return (
    clusterFindings({ gitVersion: version?.gitVersion ?? null, featureMetric: metrics === null ? null : featureGateFromMetrics(metrics) })
      .gate !== 'disabled'
  );
}

async function decide(
  client: ApiClient,
  serviceAccount: { namespace: string; name: string },
  runsOn: string,
  impersonate: string | null,
  action: Action,
  gate: boolean,
): Promise<ChainVerdict> {
  const plan = planChain({ serviceAccount, runsOn, impersonate, action, constrainedImpersonation: gate });
  const answers = new Map<string, ReviewAnswer>();
  for (const question of plan.questions) {
    try {
      answers.set(question.step, await client.subjectAccessReview(question.review));
    } catch (error) {
      if (error instanceof ApiError && error.status === 403)
        throw new CliError('can-i needs create on subjectaccessreviews.authorization.k8s.io');
      throw error;
    }
  }
  return decideChain(plan, (question) => answers.get(question.step));
}

export async function runCanI(client: ApiClient, options: CanIOptions, io: Io): Promise<number> {
  const serviceAccount = parseReporter(options.reporter);
  const gate = await gateEnabled(client);
  if (options.list) {
    const other = options.otherNode ?? `${options.onNode}-other`;
    const verbs = ['get', 'list', 'watch', 'update', 'patch'];
    const cells: { verb: string; resource: string; own: boolean | null; other: boolean | null; direct: boolean | null }[] = [];
    for (const subresource of [undefined, 'status']) {
      for (const verb of verbs) {
        const action = (name: string | undefined): Action => ({
          verb,
          group: '',
          resource: 'nodes',
          ...(subresource ? { subresource } : {}),
          ...(name && verb !== 'list' && verb !== 'watch' ? { name } : {}),
        });
        const own = await decide(client, serviceAccount, options.onNode, options.onNode, action(options.onNode), gate);
        const otherVerdict = await decide(client, serviceAccount, options.onNode, options.onNode, action(other), gate);
        const direct = await decide(client, serviceAccount, options.onNode, null, action(other), gate);
        cells.push({
          verb,
          resource: subresource ? 'nodes/status' : 'nodes',
          own: own.allowed,
          other: otherVerdict.allowed,
          direct: direct.allowed,
        });
      }
    }
    if (options.output === 'json' || options.output === 'yaml') {
      io.out(
        serialize(
          report('CanIMatrix', { serviceAccount, onNode: options.onNode, otherNode: other, constrainedImpersonation: gate, rows: cells }),
          options.output,
        ),
      );
    } else {
      const cell = (value: boolean | null) => (value === null ? '?' : value ? io.paint('yes', 'red') : io.paint('no', 'green'));
      io.out(
        table(
          ['RESOURCE', 'VERB', `OWN NODE (${options.onNode})`, `OTHER NODE (${other})`, 'NO IMPERSONATION'],
          cells.map((row) => [row.resource, row.verb, cell(row.own), cell(row.other), cell(row.direct)]),
        ),
      );
    }
    return EXIT_OK;
  }
  if (!options.verb || !options.resource) throw new CliError('can-i needs VERB and RESOURCE[/NAME], or --list');
  const action = { ...parseTarget(options.resource, options.subresource), verb: options.verb };
  const impersonate = options.direct ? null : (options.asNode ?? options.onNode);
  const verdict = await decide(client, serviceAccount, options.onNode, impersonate, action, gate);
  const answer = verdict.allowed === null ? 'unknown' : verdict.allowed ? 'yes' : 'no';
  if (options.output === 'json' || options.output === 'yaml') {
    io.out(
      serialize(
        report('CanIReport', {
          serviceAccount,
          onNode: options.onNode,
          impersonate,
          action,
          constrainedImpersonation: gate,
          answer,
          verdict,
        }),
        options.output,
      ),
    );
  } else if (!options.quiet) {
    io.out(`${answer}\n`);
    if (options.output === 'wide') {
      const rows = verdict.steps.map((step) => [
        step.step,
        step.summary,
        step.answer === null ? '' : step.answer.allowed ? 'allowed' : 'denied',
        step.decisive ? 'yes' : 'no',
      ]);
      io.out(table(['STEP', 'QUESTION', 'ANSWER', 'DECISIVE'], rows));
      io.out(`admission (modelled): ${verdict.admission.reason}\n${verdict.explanation}\n`);
    } else {
      io.note(`${describeAction(action)}: ${verdict.explanation}`);
    }
  }
  if (verdict.allowed === null) throw new CliError(`could not decide: ${verdict.explanation}`);
  return verdict.allowed ? EXIT_OK : EXIT_FAILED;
}
