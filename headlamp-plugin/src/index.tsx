// Registration only: what this plugin adds to Headlamp, and where.
import checkNetwork from '@iconify/icons-mdi/check-network';
import * as HeadlampLib from '@kinvolk/headlamp-plugin/lib';
import {
  registerDetailsViewSection,
  registerResourceTableColumnsProcessor,
  registerRoute,
  registerSidebarEntry,
} from '@kinvolk/headlamp-plugin/lib';
import { BlockerList } from './components/blockers/List';
import { readinessColumnsProcessor } from './components/nodes/columns';
import { NodeReadinessSection } from './components/nodes/Section';
import {
  BLOCKERS_PATH,
  BLOCKERS_ROUTE,
  RULE_PATH,
  RULE_ROUTE,
  RULES_PATH,
  RULES_ROUTE,
  SECURITY_PATH,
  SECURITY_ROUTE,
  SIDEBAR_ROOT,
} from './components/routes';
import { RuleDetail } from './components/rules/Detail';
import { RuleList } from './components/rules/List';
import { SecurityView } from './components/security/View';
import { nodeGatedByRule, type ReadinessRelation, ruleFedByReporter } from './resources/relations';

registerResourceTableColumnsProcessor({ id: 'headlamp-readiness-columns', processor: readinessColumnsProcessor });
registerDetailsViewSection(NodeReadinessSection);

registerSidebarEntry({ parent: null, name: SIDEBAR_ROOT, label: 'Node Readiness', url: RULES_PATH, icon: checkNetwork });
registerSidebarEntry({ parent: SIDEBAR_ROOT, name: RULES_ROUTE, label: 'Rules', url: RULES_PATH });
registerSidebarEntry({ parent: SIDEBAR_ROOT, name: BLOCKERS_ROUTE, label: 'Blockers', url: BLOCKERS_PATH });
registerSidebarEntry({ parent: SIDEBAR_ROOT, name: SECURITY_ROUTE, label: 'Security', url: SECURITY_PATH });

registerRoute({ path: RULES_PATH, sidebar: RULES_ROUTE, name: RULES_ROUTE, exact: true, component: RuleList });
registerRoute({ path: RULE_PATH, sidebar: RULES_ROUTE, name: RULE_ROUTE, exact: true, component: RuleDetail });
registerRoute({ path: BLOCKERS_PATH, sidebar: BLOCKERS_ROUTE, name: BLOCKERS_ROUTE, exact: true, component: BlockerList });
registerRoute({ path: SECURITY_PATH, sidebar: SECURITY_ROUTE, name: SECURITY_ROUTE, exact: true, component: SecurityView });

// Headlamp 0.45 has resource-map relations; the 0.14 SDK this builds against does not declare them, older hosts lack them.
const { registerResourceRelationProvider } = HeadlampLib as { registerResourceRelationProvider?: (relation: ReadinessRelation) => void };
registerResourceRelationProvider?.(nodeGatedByRule);
registerResourceRelationProvider?.(ruleFedByReporter);
