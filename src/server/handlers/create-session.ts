import { newId } from '../ids.js';
import { enforceWidgetPolicy } from '../../auth/widget-enforce.js';
import { scopedTarget } from '../../backplane/index.js';
import { immediate, type ActionOf } from '../../protocol/index.js';
import type { Session } from '../../storage/index.js';
import type { Connection } from '../connection.js';
import { bindSession, ownerFor, WIDGET_ASSIGNED } from './sessions.js';
import { requireOwnConversation } from './conversations.js';

export const AGENT_NAME = 'smooth-agent';

export async function createSession(
  connection: Connection,
  action: ActionOf<'create_conversation_session'>,
  requestId: string | undefined,
): Promise<void> {
  const { storage, now, config, widgetPolicies } = connection.app;
  const access = connection.identity.access;
  const at = now().toISOString();
  // Unguessable: for an anonymous visitor the id is the only key to the conversation.
  const sessionId = newId();
  const agentId = action.agentId ?? newId();
  // Before anything is written: a refused embed leaves no trace in storage.
  const widget = await enforceWidgetPolicy(widgetPolicies, {
    agentId,
    origin: connection.origin,
    authContext: action.authContext,
    strict: config.widgetAuth.strict,
    nowSecs: Math.floor(now().getTime() / 1000),
  });
  // The widget's organization, then the token's (an anonymous connection carries the default org).
  // Resuming: the caller's own conversation, in its organization, instead of a new one.
  const resumed = action.conversationId === undefined ? undefined : await requireOwnConversation(connection, action.conversationId);
  const organizationId = resumed?.organizationId ?? widget.organizationId ?? access.organizationId;
  // A token of another organization makes its bearer a visitor here (see ownerFor).
  const owner = ownerFor(connection.identity, organizationId);
  const agentName = (await connection.app.agents.get(organizationId, agentId))?.name ?? AGENT_NAME;
  // The declared capabilities belong to the conversation: a resume that omits `supports` inherits them,
  // one that declares a list (even `[]`) replaces them.
  if (resumed && action.supports) await storage.updateConversation(resumed.id, { clientSupports: action.supports });
  const supports = action.supports ?? resumed?.clientSupports;
  const conversationId = newId();
  const conversation = resumed ?? await storage.createConversation({
    id: conversationId,
    platform: 'web',
    // The session id is the visitor's credential: it never names anything staff can see.
    name: `Web conversation ${conversationId.slice(0, 8)}`,
    organizationId,
    // Storage's own link from a conversation to the session it was created for (the handoff service
    // follows it); no admin view or log shows it.
    idempotencyKey: sessionId,
    ...(action.metadata ? { metadataJson: action.metadata } : {}),
    ...(action.supports ? { clientSupports: action.supports } : {}),
    createdAt: at,
    updatedAt: at,
  });
  const user = await storage.addParticipant({
    id: newId(),
    conversationId: conversation.id,
    organizationId,
    type: 'user',
    name: action.userName?.trim() || 'Visitor',
    ...(action.userEmail ? { email: action.userEmail } : {}),
    ...(action.browserFingerprint ? { browserFingerprint: action.browserFingerprint } : {}),
    // Only an owner of this organization is findable as the conversation's user (Basic listings).
    ...(owner.userId !== undefined ? { externalId: owner.userId } : {}),
    createdAt: at,
    updatedAt: at,
  });
  const agent = await storage.addParticipant({
    id: newId(),
    conversationId: conversation.id,
    organizationId,
    type: 'ai-agent',
    name: agentName,
    internalId: agentId,
    createdAt: at,
    updatedAt: at,
  });
  const session: Session = {
    sessionId,
    conversationId: conversation.id,
    organizationId,
    agentId,
    agentName,
    userParticipantId: user.id,
    agentParticipantId: agent.id,
    threadId: conversation.id,
    status: 'active',
    owner,
    metadata: {
      ...(supports ? { clientSupports: supports } : {}),
      ...(widget.organizationId !== undefined ? { [WIDGET_ASSIGNED]: true } : {}),
    },
    createdAt: at,
    updatedAt: at,
  };
  await storage.createSession(session);
  // Operators address the conversation; its visitor's sockets listen on the session (src/handoff).
  await connection.app.handoff.track(session);
  bindSession(connection, session);
  connection.app.backplane.associate(connection.id, scopedTarget(organizationId, { type: 'agent', id: agentId }));
  connection.send(
    immediate(
      requestId,
      200,
      'Session created',
      {
        sessionId,
        conversationId: conversation.id,
        agentId,
        agentName,
        userParticipantId: user.id,
        agentParticipantId: agent.id,
      },
      Date.now(),
    ),
  );
}
