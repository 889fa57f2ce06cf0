import type { ChatCompletion, ChatRequest } from './types.js';

/** One streaming chat completion with tools. Implementations own retries and timeouts. */
export interface LlmProvider {
  complete(request: ChatRequest): Promise<ChatCompletion>;
  /** Releases kept-alive connections; called when the app closes. */
  close?(): Promise<void>;
}
