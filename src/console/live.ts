import type { HandoffView, MessageView } from './api.js';

export type LiveEvent =
  | { type: 'snapshot'; handoffs: HandoffView[] }
  | { type: 'handoff_update'; handoff: HandoffView }
  | { type: 'handoff_message'; conversationId: string; message: MessageView };

export type LiveState = 'connecting' | 'live' | 'offline';

/**
 * The console's authenticated subscription: `/ws?token=` then `operator_subscribe`. While it is
 * open the operator counts as online. Reconnects with a growing delay when the socket drops.
 */
export class LiveQueue {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly token: string,
    private readonly onEvent: (event: LiveEvent) => void,
    private readonly onState: (state: LiveState) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'signed out');
    this.socket = undefined;
  }

  private connect(): void {
    this.onState('connecting');
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws?token=${encodeURIComponent(this.token)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => socket.send(JSON.stringify({ action: 'operator_subscribe', requestId: 'subscribe' })));
    socket.addEventListener('message', (message) => this.receive(String(message.data)));
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.onState('offline');
      if (this.stopped) return;
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++);
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  private receive(text: string): void {
    let frame: { type?: string; requestId?: string; status?: number; data?: Record<string, unknown> };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    if (frame.type === 'immediate_response' && frame.requestId === 'subscribe' && frame.status === 200) {
      this.attempt = 0;
      this.onState('live');
      this.onEvent({ type: 'snapshot', handoffs: (frame.data?.handoffs as HandoffView[] | undefined) ?? [] });
    } else if (frame.type === 'handoff_update' && frame.data) {
      this.onEvent({ type: 'handoff_update', handoff: frame.data as unknown as HandoffView });
    } else if (frame.type === 'handoff_message' && frame.data) {
      this.onEvent({ type: 'handoff_message', conversationId: String(frame.data.conversationId), message: frame.data.message as MessageView });
    } else if (frame.type === 'error' && frame.requestId === 'subscribe') {
      this.stopped = true;
      this.onState('offline');
    }
  }
}
