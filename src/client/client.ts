import type { BackoffOptions } from './backoff.js';
import { ReconnectingConnection, type ConnectionState, type ConnectionStatus, type HeartbeatOptions } from './connection.js';
import { Emitter } from './emitter.js';
import { isSmoothAgentError, SmoothAgentError } from './errors.js';
import { asAgentEvent, requestIdOf, type AgentEvent } from './events.js';
import type {
  CancelOptions,
  ConfirmResult,
  ConfirmToolActionOptions,
  CreateSessionOptions,
  FollowTurnOptions,
  GetMessagesOptions,
  HandoffRequestResult,
  MessagePage,
  SendMessageOptions,
  SessionInfo,
  SessionSnapshot,
} from './payloads.js';
import { PendingRequests, type ReplyEvent } from './pending-requests.js';
import { ActionReplies } from './action-replies.js';
import type { SubmitInteractionOptions, SubmitInteractionResult, VerifyOtpOptions, VerifyOtpResult } from './payloads.js';
import { confirmResult, handoffRequestResult, messagePage, sessionInfo, sessionSnapshot } from './reply-shapes.js';
import { requestIdGenerator } from './request-ids.js';
import { globalSocketFactory, type SocketFactory } from './socket.js';
import { Turn, type TurnSink } from './turn.js';

export interface ClientOptions {
  /** The server's WebSocket endpoint, e.g. `ws://127.0.0.1:8787/ws`. */
  url: string;
  /** Sent as `?token=` at connect time (the only place the server reads it). */
  token?: string;
  /** Default agent for `createConversationSession`. */
  agentId?: string;
  /** How sockets are made. Default: the runtime's global WebSocket (the Node entry falls back to `ws`). */
  socketFactory?: SocketFactory;
  /** Timeout for request/response actions (not for turns, which may wait on a human). Default 15 s. */
  requestTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Reconnect attempts before the client gives up and closes. Default: keep trying. */
  maxReconnectAttempts?: number;
  heartbeat?: HeartbeatOptions;
}

export type SessionChange =
  | { type: 'created' | 'resumed'; sessionId: string }
  /** After a reconnect the server no longer knows the session (e.g. it restarted without durable storage). */
  | { type: 'lost'; sessionId: string; error: SmoothAgentError };

export interface ClientEvents {
  state: ConnectionStatus;
  /** Every event from the server, before it is routed to a request or turn. */
  event: AgentEvent;
  session: SessionChange;
}

/** What `confirmToolAction` returns when asked to resume a turn: the ack and the resumed turn. */
export interface ResumedConfirmResult extends ConfirmResult {
  /** Collects the rest of the resumed turn (tool result, tokens, `eventual_response`) by its original requestId. */
  turn: Turn;
}

interface TurnEntry {
  turn: Turn;
  sink: TurnSink;
  /** Until the frame is on the wire, losing the socket does not fail the turn: it waits for the next one. */
  sent: boolean;
}

const TERMINAL = new Set<AgentEvent['type']>(['eventual_response', 'error', 'cancelled']);

/**
 * A protocol client: request/response actions correlated by requestId, turns as streams, and one
 * logical connection that reconnects with backoff and re-attaches the current session.
 */
export class SmoothAgentClient {
  private readonly emitter = new Emitter<ClientEvents>();
  private readonly pending = new PendingRequests();
  private readonly actionReplies = new ActionReplies();
  private readonly turns = new Map<string, TurnEntry>();
  private readonly nextId = requestIdGenerator();
  private readonly connection: ReconnectingConnection;
  private readonly requestTimeoutMs: number;
  private currentSession: string | undefined;

  constructor(private readonly options: ClientOptions) {
    const socketFactory = options.socketFactory ?? globalSocketFactory();
    if (!socketFactory) {
      throw new SmoothAgentError(
        'CONNECTION_FAILED',
        "this runtime has no global WebSocket: in Node import 'smooth-operator/client' (it uses the ws package) or pass socketFactory",
      );
    }
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.connection = new ReconnectingConnection({
      url: withToken(options.url, options.token),
      socketFactory,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.maxReconnectAttempts !== undefined ? { maxAttempts: options.maxReconnectAttempts } : {}),
      ...(options.heartbeat ? { heartbeat: options.heartbeat } : {}),
      heartbeatFrame: () => JSON.stringify({ action: 'ping', requestId: this.nextId() }),
      onText: (text) => this.receive(text),
      onStatus: (status) => this.onStatus(status),
      onOpen: (resumed) => {
        if (resumed) void this.reattach();
      },
      onLost: () => this.onLost(),
    });
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  get status(): ConnectionStatus {
    return this.connection.snapshot;
  }

  /** The session used when a call names none: the last one created or resumed. */
  get sessionId(): string | undefined {
    return this.currentSession;
  }

  on<K extends keyof ClientEvents>(type: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.emitter.on(type, listener);
  }

  /** Resolves once the socket is open. */
  async ready(timeoutMs = this.requestTimeoutMs): Promise<void> {
    try {
      await this.connection.whenOpen(timeoutMs);
    } catch {
      throw this.notOpenError(undefined);
    }
  }

  async createConversationSession(options: CreateSessionOptions = {}): Promise<SessionInfo> {
    const agentId = options.agentId ?? this.options.agentId;
    const { requestId, data } = await this.request({
      action: 'create_conversation_session',
      ...options,
      ...(agentId !== undefined ? { agentId } : {}),
    });
    const info = sessionInfo(data, requestId);
    this.currentSession = info.sessionId;
    this.emitter.emit('session', { type: 'created', sessionId: info.sessionId });
    return info;
  }

  /** Makes an existing session (e.g. one remembered across a page reload) the current one. */
  async resumeSession(sessionId: string): Promise<SessionSnapshot> {
    const snapshot = await this.getSession(sessionId);
    this.currentSession = snapshot.sessionId;
    this.emitter.emit('session', { type: 'resumed', sessionId: snapshot.sessionId });
    return snapshot;
  }

  async getSession(sessionId?: string): Promise<SessionSnapshot> {
    const { requestId, data } = await this.request({ action: 'get_session', sessionId: this.sessionOf(sessionId) });
    return sessionSnapshot(data, requestId);
  }

  /** One page of history, newest first. */
  async getMessages(options: GetMessagesOptions = {}): Promise<MessagePage> {
    const { requestId, data } = await this.request({
      action: 'get_conversation_messages',
      sessionId: this.sessionOf(options.sessionId),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
    });
    return messagePage(data, requestId);
  }

  /** A Turn whose Stop and Approve/Deny controls act on its session, with the sink that feeds it. */
  private newTurn(requestId: string, sessionId: string): { turn: Turn; sink: TurnSink } {
    let sink!: TurnSink;
    const turn = new Turn(
      {
        requestId,
        sessionId,
        controls: {
          cancel: () => this.cancel({ sessionId }),
          confirm: (approved) => this.confirmToolAction({ approved, sessionId }),
        },
      },
      (s) => {
        sink = s;
      },
    );
    return { turn, sink };
  }

  /** Starts a turn. The returned Turn is both an async iterable of its events and a promise of its answer. */
  sendMessage(input: string | SendMessageOptions): Turn {
    const options = typeof input === 'string' ? { message: input } : input;
    const requestId = this.nextId();
    const sessionId = options.sessionId ?? this.currentSession ?? '';
    const { turn, sink } = this.newTurn(requestId, sessionId);
    if (sessionId === '') {
      sink.fail(new SmoothAgentError('NO_SESSION', 'no session: create or resume one first, or pass sessionId', { requestId }));
      return turn;
    }
    const entry: TurnEntry = { turn, sink, sent: false };
    this.turns.set(requestId, entry);
    const frame = JSON.stringify({
      action: 'send_message',
      requestId,
      sessionId,
      message: options.message,
      ...(options.model !== undefined ? { model: options.model } : {}),
    });
    void this.sendWhenOpen(frame, requestId).then(
      () => {
        entry.sent = true;
      },
      (error: SmoothAgentError) => {
        this.turns.delete(requestId);
        sink.fail(error);
      },
    );
    return turn;
  }

  /**
   * Answers the session's pending tool approval. With `resume`, also follows the turn the approval
   * belongs to (e.g. one whose socket dropped while it waited): the result carries a `Turn` that
   * collects the rest of it. If the confirm fails, that turn fails with the same error.
   */
  confirmToolAction(options: ConfirmToolActionOptions & { resume: { requestId: string } }): Promise<ResumedConfirmResult>;
  confirmToolAction(options: ConfirmToolActionOptions): Promise<ConfirmResult>;
  async confirmToolAction(options: ConfirmToolActionOptions): Promise<ConfirmResult | ResumedConfirmResult> {
    const sessionId = this.sessionOf(options.sessionId);
    const frame = { action: 'confirm_tool_action', sessionId, approved: options.approved };
    if (options.resume === undefined) {
      const { requestId, data } = await this.request(frame);
      return confirmResult(data, requestId);
    }
    // Registered before the confirm is sent: the resumed turn's events follow its ack closely.
    const turn = this.followTurn(options.resume.requestId, { sessionId });
    try {
      const { requestId, data } = await this.request(frame);
      return { ...confirmResult(data, requestId), turn };
    } catch (error) {
      const entry = this.turns.get(turn.requestId);
      if (entry?.turn === turn) {
        this.turns.delete(turn.requestId);
        entry.sink.fail(error instanceof SmoothAgentError ? error : new SmoothAgentError('CONNECTION_LOST', String(error), { requestId: turn.requestId }));
      }
      throw error;
    }
  }

  /** "Talk to a person": the conversation waits for an operator and the AI stops answering it. */
  async requestHuman(options: { sessionId?: string; reason?: string } = {}): Promise<HandoffRequestResult> {
    const sessionId = this.sessionOf(options.sessionId);
    const { requestId, data } = await this.request({ action: 'request_human', sessionId, ...(options.reason ? { reason: options.reason } : {}) });
    return handoffRequestResult(data, requestId);
  }

  /** Leaves an email for a follow-up when nobody was available. */
  async leaveContact(options: { email: string; sessionId?: string }): Promise<void> {
    await this.request({ action: 'leave_contact', sessionId: this.sessionOf(options.sessionId), email: options.email });
  }

  /**
   * A Turn for events carrying `requestId` from now on, for a turn this client did not start on the
   * current socket (the server resumes a parked turn under its original requestId). Returns the
   * live Turn when this client still follows that requestId. Like any turn, it fails with
   * CONNECTION_LOST when the socket drops before the turn ends.
   */
  followTurn(requestId: string, options: FollowTurnOptions = {}): Turn {
    const existing = this.turns.get(requestId);
    if (existing && !existing.turn.done) return existing.turn;
    const sessionId = options.sessionId ?? this.currentSession ?? '';
    const { turn, sink } = this.newTurn(requestId, sessionId);
    if (this.connection.state === 'closed') {
      sink.fail(new SmoothAgentError('CLOSED', 'the client is closed', { requestId }));
      return turn;
    }
    this.turns.set(requestId, { turn, sink, sent: true });
    return turn;
  }

  /**
   * Asks the server to stop this connection's running turn. The server answers with a `cancelled`
   * event on the turn itself (or nothing when no turn runs), so this resolves once the frame is sent.
   */
  async cancel(options: CancelOptions = {}): Promise<void> {
    const sessionId = options.sessionId ?? this.currentSession;
    const requestId = this.nextId();
    await this.sendWhenOpen(JSON.stringify({ action: 'cancel', requestId, ...(sessionId ? { sessionId } : {}) }), requestId);
  }

  /**
   * Answers an `interaction_required`: the visitor's values, or `declined: true`. Resolves with
   * `invalid` (and the per-field errors) when the server's validator refused the values — the turn
   * stays parked, submit again. When accepted, the parked turn resumes; `turn` follows it (the live
   * Turn of this client, or a new one after a reconnect).
   */
  async submitInteraction(options: SubmitInteractionOptions): Promise<SubmitInteractionResult & { turn: Turn }> {
    const sessionId = this.sessionOf(options.sessionId);
    const { requestId } = options;
    const followed = this.turns.has(requestId);
    const turn = this.followTurn(requestId, { sessionId });
    const reply = this.actionReplies.wait(requestId, ['immediate_response', 'interaction_invalid'], this.requestTimeoutMs);
    const frame = {
      action: 'submit_interaction',
      requestId,
      sessionId,
      interactionId: options.interactionId,
      ...(options.kind !== undefined ? { kind: options.kind } : {}),
      ...(options.values !== undefined ? { values: options.values } : {}),
      ...(options.declined !== undefined ? { declined: options.declined } : {}),
    };
    try {
      await this.sendWhenOpen(JSON.stringify(frame), requestId);
      const event = await reply;
      if (event.type === 'interaction_invalid') return { status: 'invalid', ...event.data.data, turn };
      return { status: options.declined === true ? 'declined' : 'submitted', interactionId: options.interactionId, turn };
    } catch (error) {
      this.actionReplies.fail(requestId, error as SmoothAgentError);
      // A turn this call started following is not moving: stop following it.
      const entry = this.turns.get(requestId);
      if (!followed && entry?.turn === turn) {
        this.turns.delete(requestId);
        entry.sink.fail(error instanceof SmoothAgentError ? error : new SmoothAgentError('CONNECTION_LOST', String(error), { requestId }));
      }
      throw error;
    }
  }

  /** Submits an OTP code sent after `otp_verification_required`; on success the session is verified. */
  async verifyOtp(options: VerifyOtpOptions): Promise<VerifyOtpResult> {
    const sessionId = this.sessionOf(options.sessionId);
    const requestId = options.requestId ?? this.nextId();
    const reply = this.actionReplies.wait(requestId, ['otp_verified', 'otp_invalid'], this.requestTimeoutMs);
    try {
      await this.sendWhenOpen(JSON.stringify({ action: 'verify_otp', requestId, sessionId, code: options.code }), requestId);
    } catch (error) {
      this.actionReplies.fail(requestId, error as SmoothAgentError);
    }
    const event = await reply;
    if (event.type === 'otp_verified') return { verified: true, message: event.data.data.message };
    if (event.type === 'otp_invalid') return { verified: false, ...event.data.data };
    throw new SmoothAgentError('BAD_RESPONSE', `unexpected ${event.type} answering verify_otp`, { requestId });
  }

  /** Round-trip time in milliseconds. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.request({ action: 'ping' });
    return Date.now() - started;
  }

  /** Skips the remaining backoff wait and tries to reconnect now. */
  reconnect(): void {
    this.connection.reconnectNow();
  }

  /** Closes for good; whatever still waits (requests, turns) fails with CLOSED. */
  close(): void {
    this.connection.close();
  }

  private sessionOf(sessionId: string | undefined): string {
    const resolved = sessionId ?? this.currentSession;
    if (resolved === undefined) throw new SmoothAgentError('NO_SESSION', 'no session: create or resume one first, or pass sessionId');
    return resolved;
  }

  private async request(frame: { action: string; [key: string]: unknown }): Promise<{ requestId: string; data: { [key: string]: unknown } }> {
    const requestId = this.nextId();
    const reply = this.pending.wait(requestId, this.requestTimeoutMs);
    try {
      await this.sendWhenOpen(JSON.stringify({ ...frame, requestId }), requestId);
    } catch (error) {
      this.pending.fail(requestId, error as SmoothAgentError);
    }
    const event: ReplyEvent = await reply;
    // A JSON object off the wire: its keys are checked by the reply-shapes helpers.
    return { requestId, data: event.type === 'immediate_response' ? (event.data as { [key: string]: unknown }) : { timestamp: event.data.timestamp } };
  }

  /** Waits (up to the request timeout) for an open socket, then sends. */
  private async sendWhenOpen(text: string, requestId: string): Promise<void> {
    try {
      await this.connection.whenOpen(this.requestTimeoutMs);
    } catch {
      throw this.notOpenError(requestId);
    }
    if (!this.connection.send(text)) throw new SmoothAgentError('CONNECTION_LOST', 'the connection was lost', { requestId });
  }

  private notOpenError(requestId: string | undefined): SmoothAgentError {
    const ids = requestId !== undefined ? { requestId } : {};
    return this.connection.state === 'closed'
      ? new SmoothAgentError('CLOSED', 'the client is closed', ids)
      : new SmoothAgentError('CONNECTION_FAILED', 'could not reach the server in time', ids);
  }

  private receive(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const event = asAgentEvent(parsed);
    if (!event) return;
    this.emitter.emit('event', event);
    const requestId = requestIdOf(event);
    if (this.actionReplies.settle(requestId, event)) return;
    const turn = requestId !== undefined ? this.turns.get(requestId) : undefined;
    if (turn && requestId !== undefined) {
      if (TERMINAL.has(event.type)) this.turns.delete(requestId);
      turn.sink.push(event);
      return;
    }
    this.pending.settle(requestId, event);
  }

  private onStatus(status: ConnectionStatus): void {
    this.emitter.emit('state', status);
    if (status.state === 'closed') {
      const closed = (requestId: string) => new SmoothAgentError('CLOSED', 'the client is closed', { requestId });
      this.pending.failAll(closed);
      this.actionReplies.failAll(closed);
      for (const [requestId, entry] of this.turns) entry.sink.fail(closed(requestId));
      this.turns.clear();
    }
  }

  /** The server aborts the turns and forgets the requests of a socket that goes away. */
  private onLost(): void {
    const lost = (requestId: string) => new SmoothAgentError('CONNECTION_LOST', 'the connection was lost', { requestId });
    this.pending.failAll(lost);
    this.actionReplies.failAll(lost);
    for (const [requestId, entry] of this.turns) {
      if (!entry.sent) continue;
      this.turns.delete(requestId);
      entry.sink.fail(lost(requestId));
    }
  }

  /** After a reconnect, checks that the current session still exists and attaches it to the new socket. */
  private async reattach(): Promise<void> {
    const sessionId = this.currentSession;
    if (sessionId === undefined) return;
    try {
      await this.getSession(sessionId);
      this.emitter.emit('session', { type: 'resumed', sessionId });
    } catch (error) {
      if (isSmoothAgentError(error, 'SESSION_NOT_FOUND') && this.currentSession === sessionId) {
        this.currentSession = undefined;
        this.emitter.emit('session', { type: 'lost', sessionId, error });
      }
      // Anything else (a timeout, another drop) is retried by the next reconnect.
    }
  }
}

function withToken(url: string, token: string | undefined): string {
  if (token === undefined || token.trim() === '') return url;
  const parsed = new URL(url);
  parsed.searchParams.set('token', token);
  return parsed.toString();
}

/** Creates a client and starts connecting; calls made before the socket opens wait for it. */
export function createClient(options: ClientOptions): SmoothAgentClient {
  return new SmoothAgentClient(options);
}

/** Creates a client and resolves once it is connected (rejects with CONNECTION_FAILED after `connectTimeoutMs`, default 10 s). */
export async function connect(options: ClientOptions & { connectTimeoutMs?: number }): Promise<SmoothAgentClient> {
  const client = createClient(options);
  try {
    await client.ready(options.connectTimeoutMs ?? 10_000);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}
