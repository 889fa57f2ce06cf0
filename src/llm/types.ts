/** Provider-neutral chat types: the engine speaks these, each provider maps them to its wire format. */
export interface ToolCallRequest {
  id: string;
  name: string;
  /** Raw JSON text exactly as the model produced it. */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  maxTokens: number;
  apiKey: string;
  signal: AbortSignal;
  /** Called for every non-empty text delta as it arrives. */
  onText: (delta: string) => void;
}

export interface ChatCompletion {
  text: string;
  toolCalls: ToolCallRequest[];
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/** The error a provider throws when the model call cannot be completed; the message is safe to show. */
export class LlmError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}
