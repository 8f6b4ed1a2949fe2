// The core's ClusterReader over the CLI's HTTPS client: refusals become
// values, anything else (unreachable, 5xx after the client's retries) stays
// an error that ends the command with exit 2.
import { isRefusal, type ClusterReader, type ReadResult } from '@kubectl-readiness/shared';
import { ApiError, type ApiClient } from './client.ts';

async function read<T>(request: () => Promise<T>): Promise<ReadResult<T>> {
  try {
    return { ok: true, value: await request() };
  } catch (error) {
    if (error instanceof ApiError && isRefusal(error.status)) return { ok: false, status: error.status, message: error.message };
    throw error;
  }
}

export function clusterReader(client: ApiClient): ClusterReader {
  return {
    getJSON: (path) => read(() => client.getJSON<unknown>(path)),
    getText: (path) => read(() => client.getText(path)),
    list: (path) =>
      read(async () => {
        const [base, query = ''] = path.split('?');
        return (await client.list<unknown>(base!, Object.fromEntries(new URLSearchParams(query)))).items;
      }),
    createSubjectAccessReview: (spec) => read(() => client.subjectAccessReview(spec)),
  };
}
