// The built-in RBAC of each known Kubernetes release: what a fresh cluster of
// that release holds before anything is applied, so a binding to `edit` or
// `system:node` means offline what it means live. Generated from each
// release's real cluster by test/cluster/builtin-rbac.ts; the release matrix
// suite checks each file against its release.
import { KNOWN_RELEASES, minorOfRelease, type RbacObjects } from '@kubectl-readiness/shared';
import release135 from './builtin-rbac-1.35.json' with { type: 'json' };
import release136 from './builtin-rbac-1.36.json' with { type: 'json' };
import release137 from './builtin-rbac-1.37.json' with { type: 'json' };

type Generated = typeof release136;

const BY_RELEASE: Record<(typeof KNOWN_RELEASES)[number], Generated> = {
  '1.35': release135,
  '1.36': release136,
  '1.37': release137,
};

/** The built-in RBAC verify -f adds for a release: its own, or the oldest known release's for an older one. */
export function builtinRbacOf(release: string): { release: string; rbac: RbacObjects } {
  const used =
    KNOWN_RELEASES.find((known) => known === release) ?? KNOWN_RELEASES.find((known) => minorOfRelease(known) > minorOfRelease(release));
  if (!used) throw new Error(`no built-in RBAC for Kubernetes ${release}`);
  const generated = BY_RELEASE[used];
  return {
    release: used,
    rbac: {
      clusterRoles: generated.clusterroles,
      clusterRoleBindings: generated.clusterrolebindings,
      roles: generated.roles,
      roleBindings: generated.rolebindings,
    },
  };
}
