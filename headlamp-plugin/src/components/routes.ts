// Route and sidebar names, prefixed with the plugin's name as Headlamp asks.
export const SIDEBAR_ROOT = 'readiness';
export const RULES_ROUTE = 'readiness-rules';
export const RULE_ROUTE = 'readiness-rule';
export const SECURITY_ROUTE = 'readiness-security';
export const BLOCKERS_ROUTE = 'readiness-blockers';

export const RULES_PATH = '/node-readiness/rules';
export const RULE_PATH = '/node-readiness/rules/:name';
export const SECURITY_PATH = '/node-readiness/security';
export const BLOCKERS_PATH = '/node-readiness/blockers';
