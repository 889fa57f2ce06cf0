import { createClient, type SmoothAgentClient } from '../client/client.js';
import type { ConnectionStatus } from '../client/connection.js';
import { isSmoothAgentError } from '../client/errors.js';
import type { AgentEvent, HandoffState } from '../client/events.js';
import type { Turn } from '../client/turn.js';
import type { SessionStore } from './session-store.js';
import { applyInteractionEvent, updateCard, updateOtp, WIDGET_SUPPORTS, type InteractionCard } from './interaction-state.js';
import { TurnArchive } from './turn-archive.js';
import {
  applyTurnEvent,
  describeFailure,
  failItem,
  isSilentAnswer,
  itemsFromHistory,
  newAgentItem,
  setApprovalState,
  suspendForApproval,
  type AgentItem,
  type Approval,
  type TranscriptItem,
} from './transcript.js';

export interface ChatSettings {
  server: string;
  agentId: string | undefined;
  token: string | undefined;
  store: SessionStore;
  /** Called after every state change; the element re-renders. */
  onChange: () => void;
}

/** Newest messages restored after a reload. */
const HISTORY_LIMIT = 50;

/**
 * Everything the widget does that is not drawing: the client, the remembered session, history
 * restore, the running turn, approvals. Kept apart from the element so the element stays a view.
 */
export class ChatController {
  items: TranscriptItem[] = [];
  connection: ConnectionStatus = { state: 'connecting', attempt: 0 };
  restoring = false;
  private client: SmoothAgentClient | undefined;
  /** True from the moment a message is submitted until its turn has ended. */
  private active = false;
  private turn: Turn | undefined;
  /** The history restore: done, or in flight (undefined → not yet, or the last attempt could not reach the server). */
  private restoreDone = false;
  private restoreInFlight: Promise<void> | undefined;
  private sequence = 0;
  /** Who answers: the AI (`bot`), or a person once one was asked for (`waiting`) or took over (`human`). */
  handoff: HandoffState = 'bot';
  /** False until a handoff_state arrived: the first one after a reload restates, it does not announce. */
  private handoffKnown = false;
  private operatorName: string | undefined;
  private readonly archive: TurnArchive;
  private readonly seenHumanMessages = new Set<string>();

  constructor(private readonly settings: ChatSettings) {
    this.archive = new TurnArchive(() => settings.store.get());
  }

  get busy(): boolean {
    return this.active;
  }

  get started(): boolean {
    return this.client !== undefined;
  }

  /** Connects (once) and restores the remembered conversation. */
  start(): void {
    if (this.client) return;
    let client: SmoothAgentClient;
    try {
      client = createClient({
        url: this.settings.server,
        ...(this.settings.token ? { token: this.settings.token } : {}),
        ...(this.settings.agentId ? { agentId: this.settings.agentId } : {}),
        backoff: { initialMs: 500, maxMs: 10_000 },
      });
    } catch {
      // A malformed `server` attribute: say so in the panel instead of breaking the page.
      this.connection = { state: 'closed', attempt: 0 };
      this.notice(`This chat cannot connect: "${this.settings.server}" is not a valid WebSocket address.`, 'error');
      return;
    }
    this.client = client;
    this.connection = client.status;
    client.on('state', (status) => {
      this.connection = status;
      // A restore that failed because the server was unreachable is retried once it is back.
      if (status.state === 'open') void this.restore();
      this.changed();
    });
    client.on('event', (event) => this.onPushed(event));
    client.on('session', (change) => {
      if (change.type !== 'lost') return;
      this.settings.store.clear();
      this.notice('This conversation could not be resumed after the connection came back. Your next message starts a new one.', 'info');
    });
    void this.restore();
  }

  /** Sends a message, creating the session on first use, and streams the answer into the transcript. */
  async send(text: string): Promise<void> {
    const client = this.client;
    const message = text.trim();
    if (!client || message === '' || this.active) return;
    this.active = true;
    this.items = [...this.items, { kind: 'user', id: this.nextId('user'), text: message }];
    const agent = newAgentItem(this.nextId('agent'));
    this.items = [...this.items, agent];
    this.changed();
    await this.restoreInFlight;
    try {
      await this.runTurn(client, agent.id, message, true);
    } catch (error) {
      this.updateAgent(agent.id, (item) => suspendForApproval(item, error) ?? failItem(item, error));
    } finally {
      this.turn = undefined;
      this.active = false;
      this.settle(agent.id);
      this.changed();
    }
  }

  /** "Talk to a person": the state change itself arrives as a handoff_state event. */
  async requestHuman(): Promise<void> {
    const client = this.client;
    if (!client || this.handoff === 'waiting' || this.handoff === 'human') return;
    try {
      await this.restoreInFlight;
      await client.requestHuman({ sessionId: await this.ensureSession(client) });
    } catch (error) {
      this.notice(describeFailure(error), 'error');
    }
  }

  async leaveContact(contactId: string, email: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.updateContact(contactId, { state: 'sending' });
    try {
      await client.leaveContact({ email: email.trim() });
      this.updateContact(contactId, { state: 'saved' });
    } catch (error) {
      this.updateContact(contactId, { state: 'open', error: isSmoothAgentError(error, 'VALIDATION_ERROR') ? 'Please enter a valid email address.' : describeFailure(error) });
    }
  }

  private updateContact(id: string, patch: { state: 'open' | 'sending' | 'saved'; error?: string }): void {
    this.items = this.items.map((item) => {
      if (item.kind !== 'contact' || item.id !== id) return item;
      const { error: _error, ...rest } = item;
      return { ...rest, ...patch };
    });
    this.changed();
  }

  /** Events pushed by the server outside any request: the handoff's state and operators' messages. */
  private onPushed(event: AgentEvent): void {
    if (event.type === 'human_message') {
      const { messageId, text, sender } = event.data;
      if (this.seenHumanMessages.has(messageId)) return;
      this.seenHumanMessages.add(messageId);
      this.items = [...this.items, { kind: 'human', id: `human-${messageId}`, name: sender.name, text }];
      this.changed();
      return;
    }
    if (event.type !== 'handoff_state') return;
    const { state, available, operator } = event.data;
    const previous = this.handoff;
    const known = this.handoffKnown;
    const previousOperator = this.operatorName;
    this.handoff = state;
    this.handoffKnown = true;
    this.operatorName = state === 'human' ? operator?.name : undefined;
    if (!known && available === undefined && (state === 'waiting' || state === 'human')) {
      // A resumed conversation that already involves a person.
      if (previous !== state) {
        this.notice(state === 'human' ? `You are chatting with ${operator?.name ?? 'a person from the team'}.` : 'Waiting for a person from the team to reply.', 'info');
      }
    } else if (state === 'waiting' && previous !== 'waiting') {
      if (available === false) {
        this.notice('Nobody from the team is available right now. Leave your email and we will get back to you.', 'info');
        if (!this.items.some((i) => i.kind === 'contact' && i.state !== 'saved')) this.items = [...this.items, { kind: 'contact', id: this.nextId('contact'), state: 'open' }];
      } else {
        this.notice('Connecting you with a person from the team. They will reply here.', 'info');
      }
    } else if (state === 'human' && (previous !== 'human' || operator?.name !== previousOperator)) {
      this.notice(`${operator?.name ?? 'A person from the team'} joined the conversation.`, 'info');
    } else if (state === 'bot' && previous !== 'bot') {
      this.notice('You are chatting with the AI assistant again.', 'info');
    } else if (state === 'closed' && previous !== 'closed') {
      this.notice('The conversation with the team has ended.', 'info');
    }
    this.changed();
  }

  /** After a turn: remember what a reload would lose, and drop an answer that had nothing to say. */
  private settle(agentId: string): void {
    const item = this.items.find((i): i is AgentItem => i.kind === 'agent' && i.id === agentId);
    if (!item) return;
    if (item.messageId !== undefined) this.archive.rememberAnswer(item.messageId, { citations: item.citations, tools: item.tools });
    const waiting = item.approvals.find((a) => a.state === 'pending' && a.requestId !== undefined);
    this.archive.rememberPending(waiting ? { requestId: waiting.requestId!, toolId: waiting.toolId, description: waiting.description } : undefined);
    // A message that went to a person instead of the AI ends with an empty answer: nothing to show.
    if (isSilentAnswer(item)) this.items = this.items.filter((i) => i !== item);
  }

  /** Stop: the server answers with `cancelled`, which ends the turn. */
  stop(): void {
    void this.turn?.cancel().catch(() => {});
  }

  async decide(agentId: string, approvalId: string, approved: boolean): Promise<void> {
    const client = this.client;
    if (!client) return;
    const approval = this.findApproval(agentId, approvalId);
    if (!approval || approval.state !== 'pending') return;
    // The approval's turn ended with its connection: the server kept it parked, and resumes it under
    // its original requestId once answered; follow it into the same message bubble.
    const requestId = approval.requestId;
    const live = this.turn !== undefined && !this.turn.done && this.turn.requestId === requestId;
    if (requestId !== undefined && !live && !this.active) {
      await this.decideResumed(client, agentId, approvalId, requestId, approved);
      return;
    }
    this.updateAgent(agentId, (item) => setApprovalState(item, approvalId, 'sending'));
    this.archive.rememberPending(undefined);
    try {
      await client.confirmToolAction({ approved });
      this.updateAgent(agentId, (item) => setApprovalState(item, approvalId, approved ? 'approved' : 'denied'));
    } catch (error) {
      this.updateAgent(agentId, (item) => setApprovalState(item, approvalId, 'expired'));
      this.notice(describeFailure(error), 'error');
    }
  }

  private async decideResumed(client: SmoothAgentClient, agentId: string, approvalId: string, requestId: string, approved: boolean): Promise<void> {
    this.active = true;
    this.updateAgent(agentId, (item) => setApprovalState(item, approvalId, 'sending'));
    let turn: Turn;
    try {
      ({ turn } = await client.confirmToolAction({ approved, resume: { requestId } }));
    } catch (error) {
      this.active = false;
      // Still parked server-side if the confirm never got through: leave the card answerable.
      const retry = isSmoothAgentError(error, 'CONNECTION_LOST') || isSmoothAgentError(error, 'CONNECTION_FAILED') || isSmoothAgentError(error, 'TIMEOUT');
      this.updateAgent(agentId, (item) => setApprovalState(item, approvalId, retry ? 'pending' : 'expired'));
      this.notice(describeFailure(error), 'error');
      return;
    }
    this.updateAgent(agentId, (item) => setApprovalState(item, approvalId, approved ? 'approved' : 'denied'));
    this.turn = turn;
    try {
      for await (const event of turn) this.updateAgent(agentId, (item) => applyInteractionEvent(applyTurnEvent(item, event), event));
    } catch (error) {
      this.updateAgent(agentId, (item) => suspendForApproval(item, error) ?? failItem(item, error));
    } finally {
      if (this.turn === turn) this.turn = undefined;
      this.active = false;
      this.settle(agentId);
      this.changed();
    }
  }

  /** Answers an interaction card; invalid values come back onto the card, the turn stays parked. */
  async submitInteraction(agentId: string, cardId: string, answer: { values: Record<string, unknown> } | { declined: true }): Promise<void> {
    const client = this.client;
    const card = this.findCard(agentId, cardId);
    if (!client || !card || card.state !== 'open') return;
    const live = this.turn !== undefined && !this.turn.done && this.turn.requestId === card.requestId;
    this.updateAgent(agentId, (item) => updateCard(item, cardId, { state: 'sending' }));
    try {
      const result = await client.submitInteraction({ requestId: card.requestId, interactionId: card.interactionId, kind: card.kind, ...answer });
      if (result.status === 'invalid') {
        this.updateAgent(agentId, (item) => updateCard(item, cardId, { state: 'open', errors: result.errors, message: result.message }));
        return;
      }
      this.updateAgent(agentId, (item) => updateCard(item, cardId, { state: result.status, errors: [] }));
      // The card outlived the socket its turn ran on: the server resumes the turn here, follow it.
      if (!live && !this.active) await this.follow(agentId, result.turn);
    } catch (error) {
      const gone = isSmoothAgentError(error, 'NO_PENDING_INTERACTION') || isSmoothAgentError(error, 'INTERACTION_MISMATCH');
      this.updateAgent(agentId, (item) => updateCard(item, cardId, { state: gone ? 'expired' : 'open' }));
      this.notice(gone ? 'That question is no longer waiting for an answer.' : describeFailure(error), 'error');
    }
  }

  /** Checks an OTP code; once verified, the visitor's request is sent again so the tool can run. */
  async verifyOtp(agentId: string, code: string): Promise<void> {
    const client = this.client;
    const otp = this.findAgent(agentId)?.otp;
    if (!client || !otp || otp.state === 'verifying' || otp.state === 'verified') return;
    this.updateAgent(agentId, (item) => updateOtp(item, { state: 'verifying' }));
    try {
      const result = await client.verifyOtp({ code, requestId: otp.requestId });
      if (result.verified) {
        this.updateAgent(agentId, (item) => updateOtp(item, { state: 'verified', message: result.message }));
        const retry = this.userTextBefore(agentId);
        if (retry !== undefined && !this.active) void this.send(retry);
        return;
      }
      const locked = result.attemptsRemaining === 0;
      this.updateAgent(agentId, (item) => updateOtp(item, { state: locked ? 'locked' : 'sent', message: result.message, attemptsRemaining: result.attemptsRemaining }));
    } catch (error) {
      this.updateAgent(agentId, (item) => updateOtp(item, { state: 'sent', message: describeFailure(error) }));
    }
  }

  private async follow(agentId: string, turn: Turn): Promise<void> {
    this.active = true;
    this.turn = turn;
    this.changed();
    try {
      for await (const event of turn) this.updateAgent(agentId, (item) => applyInteractionEvent(applyTurnEvent(item, event), event));
    } catch (error) {
      this.updateAgent(agentId, (item) => failItem(item, error));
    } finally {
      if (this.turn === turn) this.turn = undefined;
      this.active = false;
      this.changed();
    }
  }

  private findAgent(agentId: string): AgentItem | undefined {
    const found = this.items.find((item) => item.kind === 'agent' && item.id === agentId);
    return found?.kind === 'agent' ? found : undefined;
  }

  private findCard(agentId: string, cardId: string): InteractionCard | undefined {
    return this.findAgent(agentId)?.interactions?.find((c) => c.id === cardId);
  }

  /** The visitor's message that the answer `agentId` replied to. */
  private userTextBefore(agentId: string): string | undefined {
    const index = this.items.findIndex((item) => item.id === agentId);
    for (let i = index - 1; i >= 0; i--) {
      const item = this.items[i]!;
      if (item.kind === 'user') return item.text;
    }
    return undefined;
  }

  private findApproval(agentId: string, approvalId: string): Approval | undefined {
    for (const item of this.items) {
      if (item.kind === 'agent' && item.id === agentId) return item.approvals.find((a) => a.id === approvalId);
    }
    return undefined;
  }

  reconnectNow(): void {
    this.client?.reconnect();
  }

  dispose(): void {
    this.client?.close();
    this.client = undefined;
    this.turn = undefined;
  }

  private async runTurn(client: SmoothAgentClient, agentId: string, message: string, mayRetry: boolean): Promise<void> {
    const sessionId = await this.ensureSession(client);
    const turn = client.sendMessage({ message, sessionId });
    this.turn = turn;
    this.changed();
    let lostSession = false;
    for await (const event of turn) {
      if (mayRetry && event.type === 'error' && event.error.code === 'SESSION_NOT_FOUND') lostSession = true;
      else this.updateAgent(agentId, (item) => applyInteractionEvent(applyTurnEvent(item, event), event));
      if (event.type === 'write_confirmation_required') {
        const { toolId, actionDescription } = event.data.data;
        this.archive.rememberPending({ requestId: event.data.requestId, toolId, description: actionDescription });
      }
    }
    if (!lostSession) return;
    // The remembered session is gone (e.g. the server restarted without durable storage): start a
    // new conversation and send the message there, once.
    this.settings.store.clear();
    await this.runTurn(client, agentId, message, false);
  }

  private async ensureSession(client: SmoothAgentClient): Promise<string> {
    const remembered = this.settings.store.get();
    if (remembered !== undefined) {
      if (client.sessionId === remembered) return remembered;
      try {
        await client.resumeSession(remembered);
        return remembered;
      } catch (error) {
        if (!isSmoothAgentError(error, 'SESSION_NOT_FOUND')) throw error;
        this.settings.store.clear();
      }
    }
    const session = await client.createConversationSession({ supports: [...WIDGET_SUPPORTS] });
    this.settings.store.set(session.sessionId);
    return session.sessionId;
  }

  /** Loads the remembered conversation once; an attempt that cannot reach the server is retried on the next open. */
  private restore(): Promise<void> {
    const client = this.client;
    if (!client || this.restoreDone) return Promise.resolve();
    if (this.restoreInFlight) return this.restoreInFlight;
    const sessionId = this.settings.store.get();
    if (sessionId === undefined) {
      this.restoreDone = true;
      return Promise.resolve();
    }
    this.restoring = true;
    this.changed();
    this.restoreInFlight = (async () => {
      try {
        await client.resumeSession(sessionId);
        const page = await client.getMessages({ limit: HISTORY_LIMIT });
        for (const m of page.messages) if (m.from?.type === 'human-agent') this.seenHumanMessages.add(m.id);
        const restored = itemsFromHistory(page.messages, (id) => this.archive.annotations(id));
        // A turn parked on the visitor's approval when the page went away: its card comes back, answerable.
        const pending = this.archive.pending;
        if (pending) {
          const agent = newAgentItem(this.nextId('agent'));
          restored.push({
            ...agent,
            status: 'streaming',
            approvals: [{ id: `${agent.id}-approval-0`, toolId: pending.toolId, description: pending.description, state: 'pending', requestId: pending.requestId }],
          });
        }
        // Anything typed while the history loaded stays below it.
        this.items = [...restored, ...this.items];
        this.restoreDone = true;
      } catch (error) {
        if (isSmoothAgentError(error, 'SESSION_NOT_FOUND')) {
          this.settings.store.clear();
          this.restoreDone = true;
        }
      } finally {
        this.restoring = false;
        this.restoreInFlight = undefined;
        this.changed();
      }
    })();
    return this.restoreInFlight;
  }

  private updateAgent(id: string, update: (item: AgentItem) => AgentItem): void {
    this.items = this.items.map((item) => (item.kind === 'agent' && item.id === id ? update(item) : item));
    this.changed();
  }

  private notice(text: string, tone: 'info' | 'error'): void {
    this.items = [...this.items, { kind: 'notice', id: this.nextId('notice'), text, tone }];
    this.changed();
  }

  private nextId(kind: string): string {
    return `${kind}-${++this.sequence}`;
  }

  private changed(): void {
    this.settings.onChange();
  }
}
