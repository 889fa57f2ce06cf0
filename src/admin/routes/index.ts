import type { AdminRoute } from '../route.js';
import { healthRoute, meRoute } from './basics.js';
import { conversationMessagesRoute, listConversationsRoute } from './conversations.js';
import { knowledgeRoutes } from './knowledge.js';
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
];
