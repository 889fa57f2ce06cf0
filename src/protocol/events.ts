import type { ErrorCode } from './error-codes.js';

/** Wire events, shaped exactly as ../shared/spec/events and the reference server emit them. */
export interface ErrorBody {
  code: ErrorCode | string;
  message: string;
}

export interface Citation {
  id: string;
  title: string;
  url?: string;
  snippet: string;
  score: number;
}

export interface Usage {
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
}

export interface AgentResponse {
  responseParts: string[];
  customerHappinessScore: number;
  needsSatisfactionScore: number;
  requestSummary: string;
  resolutionStatus: 'resolved' | 'in_progress' | 'requires_escalation' | 'needs_more_info' | 'blocked';
  suggestedNextActions: string[];
}

export type ToolChunkState =
  | { rawResponse: { toolCall: { name: string; arguments: string } } }
  | { rawResponse: { toolResult: { name: string; isError: boolean; result: string } } };

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface InteractionFieldError {
  field: string;
  message: string;
}

export type OtpChannel = 'email' | 'sms';

export type OtpFailure = 'INVALID_CODE' | 'MAX_ATTEMPTS' | 'NOT_FOUND' | 'EXPIRED';

export type ServerEvent =
  | { type: 'pong'; requestId?: string; timestamp: number; data: { timestamp: number } }
  | { type: 'immediate_response'; requestId?: string; status: number; message: string; data: object; timestamp: number }
  | { type: 'error'; requestId?: string; error: ErrorBody; data: { requestId?: string; error: ErrorBody }; timestamp: number }
  | { type: 'stream_token'; requestId: string; token: string; data: { requestId: string; token: string }; timestamp: number }
  | {
      type: 'stream_chunk';
      requestId: string;
      node: string;
      data: { requestId: string; node: string; state: ToolChunkState };
      timestamp: number;
    }
  | {
      type: 'write_confirmation_required';
      requestId: string;
      data: { requestId: string; data: { toolId: string; actionDescription: string } };
      timestamp: number;
    }
  | {
      type: 'eventual_response';
      requestId: string;
      status: 200;
      data: {
        requestId: string;
        status: 200;
        data: {
          messageId: string;
          response: AgentResponse;
          needsEscalation: boolean;
          citations?: Citation[];
          usage?: Usage;
        };
      };
      timestamp: number;
    }
  | {
      type: 'interaction_required';
      requestId: string;
      data: { requestId: string; data: { interactionId: string; kind: string; spec: { [key: string]: JsonValue }; reason: string } };
      timestamp: number;
    }
  | {
      type: 'interaction_invalid';
      requestId: string;
      data: {
        requestId: string;
        data: { interactionId: string; kind: string; errors: InteractionFieldError[]; message: string };
      };
      timestamp: number;
    }
  | {
      type: 'otp_verification_required';
      requestId: string;
      data: {
        requestId: string;
        data: { toolId: string; actionDescription: string; availableChannels: OtpChannel[]; authLevel: string };
      };
      timestamp: number;
    }
  | {
      type: 'otp_sent';
      requestId: string;
      data: { requestId: string; data: { channel: OtpChannel; maskedDestination: string } };
      timestamp: number;
    }
  | { type: 'otp_verified'; requestId: string; data: { requestId: string; data: { message: string } }; timestamp: number }
  | {
      type: 'otp_invalid';
      requestId: string;
      data: { requestId: string; data: { error?: OtpFailure; attemptsRemaining: number; message: string } };
      timestamp: number;
    }
  | { type: 'cancelled'; requestId?: string; status: 499; data: { requestId?: string; status: 499 }; timestamp: number };

export type ServerEventType = ServerEvent['type'];
