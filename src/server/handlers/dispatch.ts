import type { Action } from '../../protocol/index.js';
import type { Connection } from '../connection.js';
import { cancel } from './cancel.js';
import { confirmToolAction } from './confirm-tool-action.js';
import { createSession } from './create-session.js';
import { getMessages } from './get-messages.js';
import { getSession } from './get-session.js';
import { leaveContact, operatorSubscribe, requestHuman } from './handoff.js';
import { ping } from './ping.js';
import { sendMessage } from './send-message.js';
import { listConversations, renameConversation } from './conversations.js';
import { submitInteraction } from './submit-interaction.js';
import { verifyOtp } from './verify-otp.js';

/** One handler per action; errors they throw are mapped to the wire by the connection. */
export function dispatch(connection: Connection, action: Action, requestId: string | undefined): Promise<void> {
  switch (action.action) {
    case 'ping':
      return ping(connection, requestId);
    case 'create_conversation_session':
      return createSession(connection, action, requestId);
    case 'get_session':
      return getSession(connection, action, requestId);
    case 'get_conversation_messages':
      return getMessages(connection, action, requestId);
    case 'send_message':
      return sendMessage(connection, action, requestId);
    case 'confirm_tool_action':
      return confirmToolAction(connection, action, requestId);
    case 'cancel':
      return cancel(connection, requestId);
    case 'list_conversations':
      return listConversations(connection, action, requestId);
    case 'rename_conversation':
      return renameConversation(connection, action, requestId);
    case 'submit_interaction':
      return submitInteraction(connection, action, requestId);
    case 'verify_otp':
      return verifyOtp(connection, action, requestId);
    case 'request_human':
      return requestHuman(connection, action, requestId);
    case 'leave_contact':
      return leaveContact(connection, action, requestId);
    case 'operator_subscribe':
      return operatorSubscribe(connection, requestId);
  }
}
