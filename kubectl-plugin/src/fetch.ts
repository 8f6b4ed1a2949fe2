// What the commands read besides the core's gatherers: nodes, page by page,
// and rules, which degrade to a one-line note instead of failing the command.
import { nodeEssentials, RULE_GROUP, RULE_VERSION, RULES_API_PATH } from '@kubectl-readiness/shared';
import { ApiError, type ApiClient } from './client.ts';

export interface Optional<T> {
  items: T[];
  /** Why the items could not be read, in one line; null when they were. */
  note: string | null;
}

async function optionalList(
  client: ApiClient,
  path: string,
  query: Record<string, string>,
  what: string,
  on404: () => string | Promise<string>,
): Promise<Optional<unknown>> {
  try {
    return { items: (await client.list<unknown>(path, query)).items, note: null };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { items: [], note: await on404() };
    if (error instanceof ApiError && error.status === 403) return { items: [], note: `not allowed to list ${what}` };
    throw error;
  }
}

export function fetchRules(client: ApiClient): Promise<Optional<unknown>> {
  return optionalList(client, RULES_API_PATH, {}, `nodereadinessrules.${RULE_GROUP}`, async () => {
    // A newer NRC may serve the group without this version: say so rather than "not installed".
    const served = await client
      .getJSON<{ versions?: { version?: string }[] }>(`/apis/${RULE_GROUP}`)
      .then((group) => (group.versions ?? []).map((entry) => entry.version).filter(Boolean))
      .catch(() => []);
    return served.length > 0
      ? `the cluster serves ${RULE_GROUP} ${served.join(', ')} but not ${RULE_VERSION}, the version this kubectl-readiness reads: showing node conditions only`
      : `the NodeReadinessRule CRD (${RULE_GROUP}/${RULE_VERSION}) is not installed: showing node conditions only`;
  });
}

export async function fetchNodes(client: ApiClient, labelSelector?: string): Promise<unknown[]> {
  return (await client.list('/api/v1/nodes', labelSelector ? { labelSelector } : {}, nodeEssentials)).items;
}
