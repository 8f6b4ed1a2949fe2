// What each Kubernetes release does that a verdict rests on: the maturity and
// default of the features an escalation or the decision chain depends on.
// The release matrix suite checks every known release's row against a real
// apiserver of that release; a release newer than the newest known is not
// guessed at.
export type Maturity = 'absent' | 'alpha' | 'beta' | 'GA';

/** The minors at which a feature reached each stage, and from which one it is on without a flag. */
interface FeatureHistory {
  name: string;
  alpha: number;
  beta: number;
  ga: number | null;
  onByDefaultFrom: number;
  /** What it means for readiness, in one line. */
  matters: string;
}

const FEATURES: FeatureHistory[] = [
  {
    name: 'ConstrainedImpersonation',
    alpha: 35,
    beta: 36,
    ga: null,
    onByDefaultFrom: 36,
    matters: "KEP-5284: associated-node grants limit a reporter to its own node's status",
  },
  {
    name: 'MutatingAdmissionPolicy',
    alpha: 32,
    beta: 34,
    ga: 36,
    onByDefaultFrom: 36,
    matters: 'whoever may create a policy and its binding rewrites any write, node status included',
  },
  {
    name: 'ValidatingAdmissionPolicy',
    alpha: 26,
    beta: 28,
    ga: 30,
    onByDefaultFrom: 30,
    matters: "whoever may create a policy and its binding can deny any write, other nodes' status included",
  },
];

/** The releases whose rows the matrix suite proves, oldest first. */
export const KNOWN_RELEASES = ['1.35', '1.36', '1.37'] as const;
export const NEWEST_KNOWN_RELEASE = KNOWN_RELEASES[KNOWN_RELEASES.length - 1]!;

export interface FeatureAtRelease {
  name: string;
  maturity: Maturity;
  onByDefault: boolean;
  matters: string;
}

export const minorOfRelease = (release: string): number => Number(release.split('.')[1]);

export function featuresAt(release: string): FeatureAtRelease[] {
  const minor = minorOfRelease(release);
  return FEATURES.map(({ name, alpha, beta, ga, onByDefaultFrom, matters }) => ({
    name,
    maturity: ga !== null && minor >= ga ? 'GA' : minor >= beta ? 'beta' : minor >= alpha ? 'alpha' : 'absent',
    onByDefault: minor >= onByDefaultFrom,
    matters,
  }));
}

export function featureAt(release: string, name: string): FeatureAtRelease {
  const feature = featuresAt(release).find((candidate) => candidate.name === name);
  if (!feature) throw new Error(`no release facts for feature ${name}`);
  return feature;
}

/** Newer than the newest release whose facts were proven: its features may have moved. */
export const isNewerThanKnown = (release: string): boolean => minorOfRelease(release) > minorOfRelease(NEWEST_KNOWN_RELEASE);
