// The ConstrainedImpersonation feature gate (KEP-5284): alpha and off by
// default in 1.35, beta and on by default from 1.36 (base/releases.ts). One
// reading for every adapter: the apiserver's own metric when readable, else
// the release's default.
import { featureAt } from '../base/releases.ts';

export type GateState = 'enabled' | 'disabled' | 'unknown';

export interface ClusterFacts {
  /** /version's gitVersion, e.g. v1.36.3; null when it could not be read. */
  gitVersion: string | null;
  /** kubernetes_feature_enabled{name="ConstrainedImpersonation"} from /metrics; null when unreadable or absent. */
  featureMetric: 0 | 1 | null;
}

export function minorVersion(gitVersion: string | null): number | null {
  const match = gitVersion === null ? null : /^v?1\.(\d+)/.exec(gitVersion);
  return match ? Number(match[1]) : null;
}

export function gateOf(facts: ClusterFacts): GateState {
  const minor = minorVersion(facts.gitVersion);
  const feature = minor === null ? null : featureAt(`1.${minor}`, 'ConstrainedImpersonation');
  if (feature?.maturity === 'absent') return 'disabled';
  if (facts.featureMetric !== null) return facts.featureMetric === 1 ? 'enabled' : 'disabled';
  // Off by default (alpha) may still be on by a flag, which only the metric would show.
  return feature?.onByDefault ? 'enabled' : 'unknown';
}

/** Reads kubernetes_feature_enabled{name="<gate>"} from a Prometheus text exposition; null when absent. */
export function featureGateFromMetrics(text: string, gate = 'ConstrainedImpersonation'): 0 | 1 | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith('kubernetes_feature_enabled{') || !line.includes(`name="${gate}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (value === 0 || value === 1) return value;
  }
  return null;
}
