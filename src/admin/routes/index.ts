import type { AdminRoute } from '../route.js';
import { healthRoute, meRoute } from './basics.js';
import { agentRoutes } from './agents.js';
import { connectorRoutes } from './connectors.js';
import { conversationMessagesRoute, listConversationsRoute } from './conversations.js';
import { documentSetsRoute } from './document-sets.js';
import { handoffRoutes } from './handoffs.js';
import { indexConnectorRoute, listRunsRoute } from './indexing.js';
import { knowledgeRoutes } from './knowledge.js';
import { knowledgeSearchRoute } from './knowledge-search.js';
import { modelCostsRoute } from './model-costs.js';
import { publishRoute } from './publish.js';
import { getSettingsRoute, putSettingsRoute } from './settings.js';

/** Every admin endpoint. Add a route here and it is routed, guarded and documented. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  healthRoute,
  meRoute,
  listConversationsRoute,
  conversationMessagesRoute,
  getSettingsRoute,
  putSettingsRoute,
  publishRoute,
  modelCostsRoute,
  ...knowledgeRoutes,
  knowledgeSearchRoute,
  documentSetsRoute,
  ...connectorRoutes,
  indexConnectorRoute,
  listRunsRoute,
  ...agentRoutes,
  ...handoffRoutes,
];
