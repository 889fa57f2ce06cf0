import type { ConversationWorkflow } from '../../agents/types.js';
import type { LlmProvider } from '../../llm/index.js';
import { currentStep, JUDGE_SYSTEM_PROMPT, judgeUserMessage, parseVerdict, stepAfter, type Verdict } from './workflow.js';

/** A yes/no/maybe needs a few tokens; a small cap keeps the judge's cost and latency negligible. */
export const JUDGE_MAX_TOKENS = 16;
const JUDGE_TIMEOUT_MS = 60_000;

export interface JudgeInput {
  llm: LlmProvider;
  model: string;
  apiKey: string;
  workflow: ConversationWorkflow;
  stepId: string | undefined;
  userMessage: string;
  reply: string;
  /** Aborts the call (a shutdown that cannot wait); the session then stays on its step. */
  signal?: AbortSignal;
}

export interface JudgeOutcome {
  /** The step the session is on afterwards. */
  stepId: string;
  /** Undefined when the judge was not asked or failed (the session stays on its step). */
  verdict: Verdict | undefined;
}

/** One judge call on the finished turn; a failure or an empty answer keeps the session on its step. */
export async function judgeTurn(input: JudgeInput, onError: (err: unknown) => void = () => undefined): Promise<JudgeOutcome | undefined> {
  const at = currentStep(input.workflow, input.stepId);
  if (!at) return undefined;
  let text: string;
  try {
    const completion = await input.llm.complete({
      model: input.model,
      messages: [
        { role: 'system', content: JUDGE_SYSTEM_PROMPT },
        { role: 'user', content: judgeUserMessage(input.workflow, at.step, input.userMessage, input.reply) },
      ],
      tools: [],
      maxTokens: JUDGE_MAX_TOKENS,
      apiKey: input.apiKey,
      signal: input.signal ? AbortSignal.any([input.signal, AbortSignal.timeout(JUDGE_TIMEOUT_MS)]) : AbortSignal.timeout(JUDGE_TIMEOUT_MS),
      onText: () => undefined,
    });
    text = completion.text;
  } catch (err) {
    onError(err);
    return { stepId: at.step.id, verdict: undefined };
  }
  if (text.trim() === '') return { stepId: at.step.id, verdict: undefined };
  const verdict = parseVerdict(text);
  return { stepId: stepAfter(input.workflow, at.index, verdict) ?? at.step.id, verdict };
}
