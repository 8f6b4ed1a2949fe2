// A reporter workload as the tests of every package need one: a DaemonSet
// whose container writes one condition, impersonating its node unless told.
export function reporterDaemonSet(
  name: string,
  condition: string,
  serviceAccount: { namespace: string; name: string },
  {
    impersonatesNode = true,
    kind = 'DaemonSet',
    image = 'example.com/reporter:v1',
  }: { impersonatesNode?: boolean; kind?: string; image?: string } = {},
): Record<string, unknown> {
  return {
    kind,
    metadata: { namespace: serviceAccount.namespace, name },
    spec: {
      template: {
        spec: {
          serviceAccountName: serviceAccount.name,
          containers: [
            {
              name: 'reporter',
              image,
              env: [
                { name: 'CONDITION_TYPE', value: condition },
                ...(impersonatesNode ? [{ name: 'IMPERSONATE_NODE', value: 'true' }] : []),
              ],
            },
          ],
        },
      },
    },
  };
}
