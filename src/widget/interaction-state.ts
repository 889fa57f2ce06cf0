import type { AgentEvent, Json } from '../client/events.js';

/**
 * Rich Interactions and OTP prompts shown inside an answer, as plain data (see transcript.ts):
 * updates build new objects so lit re-renders only what changed.
 */
export interface InteractionCard {
  id: string;
  /** The parked turn's requestId and the server's interaction id: both go back on submit. */
  requestId: string;
  interactionId: string;
  kind: string;
  spec: { [key: string]: Json };
  reason: string;
  state: 'open' | 'sending' | 'submitted' | 'declined' | 'expired';
  errors: Array<{ field: string; message: string }>;
  message?: string;
}

export interface OtpPrompt {
  requestId: string;
  toolId: string;
  maskedDestination?: string;
  state: 'requested' | 'sent' | 'verifying' | 'verified' | 'locked';
  message?: string;
  attemptsRemaining?: number;
}

export interface WithInteractions {
  id: string;
  interactions?: InteractionCard[];
  otp?: OtpPrompt;
}

/** The render capabilities the widget declares at create_conversation_session. */
export const WIDGET_SUPPORTS = ['identity_form', 'choice_chips'] as const;

const TERMINAL = new Set<AgentEvent['type']>(['eventual_response', 'cancelled', 'error']);

function closeOpen(cards: InteractionCard[] | undefined): InteractionCard[] | undefined {
  return cards?.map((c) => (c.state === 'open' || c.state === 'sending' ? { ...c, state: 'expired' } : c));
}

/** Folds the interaction and OTP events of an answer's turn into it; other events leave it as it is. */
export function applyInteractionEvent<T extends WithInteractions>(item: T, event: AgentEvent): T {
  switch (event.type) {
    case 'interaction_required': {
      const { interactionId, kind, spec, reason } = event.data.data;
      const cards = item.interactions ?? [];
      const card: InteractionCard = {
        id: `${item.id}-interaction-${cards.length}`,
        requestId: event.data.requestId,
        interactionId,
        kind,
        spec,
        reason,
        state: 'open',
        errors: [],
      };
      return { ...item, interactions: [...cards, card] };
    }
    case 'otp_verification_required':
      return { ...item, otp: { requestId: event.data.requestId, toolId: event.data.data.toolId, state: 'requested' } };
    case 'otp_sent':
      return item.otp ? { ...item, otp: { ...item.otp, state: 'sent', maskedDestination: event.data.data.maskedDestination } } : item;
    default:
      if (!TERMINAL.has(event.type) || !item.interactions) return item;
      return { ...item, interactions: closeOpen(item.interactions) };
  }
}

export function updateCard<T extends WithInteractions>(item: T, cardId: string, change: Partial<InteractionCard>): T {
  return { ...item, interactions: (item.interactions ?? []).map((c) => (c.id === cardId ? { ...c, ...change } : c)) };
}

export function updateOtp<T extends WithInteractions>(item: T, change: Partial<OtpPrompt>): T {
  return item.otp ? { ...item, otp: { ...item.otp, ...change } } : item;
}
