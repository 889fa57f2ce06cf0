import type { ConversationWorkflow, WorkflowStep } from '../../agents/types.js';

export type Verdict = 'yes' | 'no' | 'maybe';

/** The step a session is on: its stored pointer when the workflow still has that step, else the first. */
export function currentStep(workflow: ConversationWorkflow, stepId: string | undefined): { step: WorkflowStep; index: number } | undefined {
  const at = stepId === undefined ? -1 : workflow.steps.findIndex((s) => s.id === stepId);
  const index = at === -1 ? 0 : at;
  const step = workflow.steps[index];
  return step && { step, index };
}

/** The system-prompt section that keeps the model on the current step. */
export function workflowSection(workflow: ConversationWorkflow, step: WorkflowStep, index: number): string {
  return [
    '<ConversationWorkflow>',
    `GOAL: ${workflow.goal}`,
    '',
    `CURRENT STEP (${index + 1}/${workflow.steps.length}): ${step.id}`,
    `INTENT: ${step.intent}`,
    `CRITERIA: ${step.criteria}`,
    '',
    'Focus this turn on the CURRENT STEP. Work toward its criteria naturally, one step at a time, and do not skip ahead ' +
      'or mention the workflow itself to the customer; still answer any question they ask along the way.',
    '</ConversationWorkflow>',
  ].join('\n');
}

export const JUDGE_SYSTEM_PROMPT =
  'You decide whether a step of a support conversation is complete. You get the conversation goal, the current step ' +
  'with its completion criteria, the customer’s last message and the agent’s reply. Answer with exactly one word: ' +
  '"yes" if the criteria are now met, "no" if they are not, or "maybe" if you cannot tell.';

export function judgeUserMessage(workflow: ConversationWorkflow, step: WorkflowStep, userMessage: string, reply: string): string {
  return [
    `GOAL: ${workflow.goal}`,
    `CURRENT STEP: ${step.id}`,
    `INTENT: ${step.intent}`,
    `CRITERIA: ${step.criteria}`,
    '',
    `LAST USER MESSAGE:\n${userMessage}`,
    '',
    `AGENT REPLY:\n${reply}`,
  ].join('\n');
}

/**
 * The reference's reading of a verdict: "maybe" is looked for first (so "yes or maybe" is not a yes),
 * then "yes", then "no"; anything else is a maybe.
 */
export function parseVerdict(text: string): Verdict {
  const lower = text.toLowerCase();
  if (lower.includes('maybe')) return 'maybe';
  if (lower.includes('yes')) return 'yes';
  if (lower.includes('no')) return 'no';
  return 'maybe';
}

/** Where a verdict leads: only yes moves, to the step's `next`, else the following step, else nowhere. */
export function stepAfter(workflow: ConversationWorkflow, index: number, verdict: Verdict): string | undefined {
  const step = workflow.steps[index];
  if (!step) return undefined;
  if (verdict !== 'yes') return step.id;
  if (step.next !== undefined && workflow.steps.some((s) => s.id === step.next)) return step.next;
  return workflow.steps[index + 1]?.id ?? step.id;
}
