// The core's ClusterReader over Headlamp's ApiProxy: the viewer's own
// credentials, through Headlamp's backend. A refused read is an answer here,
// never a reason to log the viewer out.
import { ApiProxy } from '@kinvolk/headlamp-plugin/lib';
import { type ClusterReader, isRefusal, type ReadResult, type ReviewAnswer } from '@kubectl-readiness/shared';

/** kubectl's default --chunk-size. */
const PAGE_SIZE = 500;
const SUBJECT_ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

async function read<T>(request: () => Promise<T>): Promise<ReadResult<T>> {
  try {
    return { ok: true, value: await request() };
  } catch (error) {
    const status = (error as { status?: number } | null)?.status ?? 0;
    if (isRefusal(status)) return { ok: false, status, message: (error as Error).message };
    throw error;
  }
}

export function clusterReader(cluster: string): ClusterReader {
  const options = { cluster, autoLogoutOnAuthError: false };
  // Read as text and parsed here: for a JSON read, Headlamp's request logs a
  // console error when a refusal's body is not JSON (an absent CRD's 404 is
  // "404 page not found"), and a refusal is an expected answer here.
  const getText = async (path: string) => ((await ApiProxy.request(path, { ...options, isJSON: false }, false)) as Response).text();
  const getJSON = async (path: string) => JSON.parse(await getText(path)) as unknown;
  return {
    getJSON: (path) => read(() => getJSON(path)),
    getText: (path) => read(() => getText(path)),
    list: (path) =>
      read(async () => {
        const items: unknown[] = [];
        const [base, given = ''] = path.split('?');
        let token = '';
        do {
          const query = new URLSearchParams({
            limit: String(PAGE_SIZE),
            ...Object.fromEntries(new URLSearchParams(given)),
            ...(token ? { continue: token } : {}),
          });
          const page = (await getJSON(`${base}?${query}`)) as { items?: unknown[]; metadata?: { continue?: string } } | null;
          items.push(...(page?.items ?? []));
          token = page?.metadata?.continue ?? '';
        } while (token);
        return items;
      }),
    createSubjectAccessReview: (spec) =>
      read(async () => {
        const body = (await ApiProxy.post(
          SUBJECT_ACCESS_REVIEWS,
          { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
          false,
          options,
        )) as { status?: { allowed?: boolean; reason?: string } };
        const status = body.status ?? {};
        const answer: ReviewAnswer = { allowed: status.allowed === true, ...(status.reason ? { reason: status.reason } : {}) };
        return answer;
      }),
  };
}
