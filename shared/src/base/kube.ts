// The slices of Kubernetes core objects the core reads. Fields are optional
// because the core is handed whatever a cluster (or a user's YAML) contains.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect | string;
  timeAdded?: string;
}

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface Node {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { taints?: Taint[]; unschedulable?: boolean };
  status?: { conditions?: NodeCondition[] };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string } };
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface Volume {
  name: string;
  configMap?: { name?: string; items?: { key: string; path: string }[] };
  projected?: unknown;
  secret?: { secretName?: string };
}

export interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  nodeName?: string;
  containers?: Container[];
  volumes?: Volume[];
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

/** A DaemonSet or Deployment: anything whose pods run a reporter. */
export interface Workload {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { template?: PodTemplateSpec };
}

export interface ConfigMap {
  kind?: string;
  metadata?: ObjectMeta;
  data?: Record<string, string>;
}

// RBAC's rules and subjects, and a grant: a rule as it reaches a user, with the
// binding and role behind it, because that is the evidence findings cite.
export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface Grant {
  binding: ObjectRef;
  role: ObjectRef;
  subject: Subject;
  rule: PolicyRule;
}
