// NRC's cluster-scoped NodeReadinessRule as a Headlamp resource class, so
// lists and gets go through Headlamp's hooks, cache and watches.
import { K8s } from '@kinvolk/headlamp-plugin/lib';
import type { KubeObjectInterface } from '@kinvolk/headlamp-plugin/lib/k8s/cluster';
import {
  type NodeReadinessRuleSpec,
  type NodeReadinessRuleStatus,
  RULE_API_VERSION,
  RULE_KIND,
  RULE_PLURAL,
} from '@kubectl-readiness/shared';

export interface NodeReadinessRuleObject extends KubeObjectInterface {
  spec: NodeReadinessRuleSpec;
  status?: NodeReadinessRuleStatus;
}

export class NodeReadinessRule extends K8s.cluster.KubeObject<NodeReadinessRuleObject> {
  static kind = RULE_KIND;
  static apiName = RULE_PLURAL;
  static apiVersion = RULE_API_VERSION;
  static isNamespaced = false;

  get spec(): NodeReadinessRuleSpec {
    return this.jsonData.spec;
  }

  get status(): NodeReadinessRuleStatus {
    return this.jsonData.status ?? {};
  }
}
