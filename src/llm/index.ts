export type { LlmProvider } from './llm-provider.js';
export * from './types.js';
export { OpenAiProvider } from './openai-provider.js';
export type { OpenAiProviderOptions } from './openai-provider.js';
export type { GatewayKeyResolver } from './key-resolver.js';
export { SingleKeyResolver, MapKeyResolver } from './key-resolver.js';
