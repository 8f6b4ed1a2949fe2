// The release facts a verdict relied on, named so a reader can check them:
// which Kubernetes release, what the ConstrainedImpersonation gate is and
// how that was known, and the maturity of the admission machinery an
// escalation can use on that release.
import { featuresAt, isNewerThanKnown, NEWEST_KNOWN_RELEASE, type FeatureAtRelease } from '../base/releases.ts';
import { minorVersion, type ClusterFacts, type GateState } from '../nrc/gate.ts';

export interface ReleaseFacts {
  /** "v1.36.3" from the apiserver's /version, or the release assumed offline; null when unreadable. */
  gitVersion: string | null;
  /** "1.36"; null when unknown. */
  release: string | null;
  /** The release whose facts were used: the release itself, or the newest known for a newer one. */
  factsOf: string | null;
  features: (FeatureAtRelease & { state: GateState | null; stateFrom: string | null })[];
}

/** `assumed`: offline, how the gate was taken; null for facts read from an apiserver. */
export function releaseFacts(facts: ClusterFacts, gate: GateState, assumed: 'flag' | 'default' | null): ReleaseFacts {
  const minor = minorVersion(facts.gitVersion);
  const release = minor === null ? null : `1.${minor}`;
  const factsOf = release === null ? null : isNewerThanKnown(release) ? NEWEST_KNOWN_RELEASE : release;
  const gateFrom =
    assumed === 'flag'
      ? '--feature-gates'
      : assumed === null && facts.featureMetric !== null
        ? "the apiserver's kubernetes_feature_enabled metric"
        : gate === 'unknown'
          ? null
          : "the release's default";
  return {
    gitVersion: facts.gitVersion,
    release,
    factsOf,
    features: (factsOf ? featuresAt(factsOf) : []).map((feature) =>
      feature.name === 'ConstrainedImpersonation'
        ? { ...feature, state: gate, stateFrom: gateFrom }
        : { ...feature, state: null, stateFrom: null },
    ),
  };
}

/** One line: "Kubernetes v1.36.3: ConstrainedImpersonation beta, on by default, enabled (from ...); ...". */
export function describeReleaseFacts({ gitVersion, release, factsOf, features }: ReleaseFacts): string {
  if (release === null)
    return 'Kubernetes release unknown: the release facts (constrained impersonation, admission policies) are not known';
  const stage = ({ maturity, onByDefault }: FeatureAtRelease) =>
    maturity === 'absent' ? 'absent' : `${maturity}, ${onByDefault ? 'on' : 'off'} by default`;
  const described = features.map(
    (feature) =>
      `${feature.name} ${stage(feature)}${feature.state ? `, ${feature.state}${feature.stateFrom ? ` (from ${feature.stateFrom})` : ''}` : ''}`,
  );
  const newer = factsOf !== release ? ` (newer than ${factsOf}, the newest release these facts were proven on: taken as ${factsOf})` : '';
  return `Kubernetes ${gitVersion}${newer}: ${described.join('; ')}`;
}
