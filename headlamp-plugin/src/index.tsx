// Registration only: what this plugin adds to Headlamp, and where.
import checkNetwork from '@iconify/icons-mdi/check-network';
import {
  registerDetailsViewSection,
  registerResourceTableColumnsProcessor,
  registerRoute,
  registerSidebarEntry,
} from '@kinvolk/headlamp-plugin/lib';
import { readinessColumnsProcessor } from './components/nodes/columns';
import { NodeReadinessSection } from './components/nodes/Section';
import { RULE_PATH, RULE_ROUTE, RULES_PATH, RULES_ROUTE, SECURITY_PATH, SECURITY_ROUTE, SIDEBAR_ROOT } from './components/routes';
import { RuleDetail } from './components/rules/Detail';
import { RuleList } from './components/rules/List';
import { SecurityView } from './components/security/View';

registerResourceTableColumnsProcessor({ id: 'headlamp-readiness-columns', processor: readinessColumnsProcessor });
registerDetailsViewSection(NodeReadinessSection);

registerSidebarEntry({ parent: null, name: SIDEBAR_ROOT, label: 'Node Readiness', url: RULES_PATH, icon: checkNetwork });
registerSidebarEntry({ parent: SIDEBAR_ROOT, name: RULES_ROUTE, label: 'Rules', url: RULES_PATH });
registerSidebarEntry({ parent: SIDEBAR_ROOT, name: SECURITY_ROUTE, label: 'Security', url: SECURITY_PATH });

registerRoute({ path: RULES_PATH, sidebar: RULES_ROUTE, name: RULES_ROUTE, exact: true, component: RuleList });
registerRoute({ path: RULE_PATH, sidebar: RULES_ROUTE, name: RULE_ROUTE, exact: true, component: RuleDetail });
registerRoute({ path: SECURITY_PATH, sidebar: SECURITY_ROUTE, name: SECURITY_ROUTE, exact: true, component: SecurityView });
