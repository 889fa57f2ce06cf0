import type { InteractionFieldError } from '../../protocol/index.js';
import { isRecord, type InteractionKind, type Validation } from './kind.js';

export interface ChoicesSpec {
  questions: Array<{ question: string; header: string; options: Array<{ label: string; description?: string }>; multiSelect: boolean }>;
}

export interface ChoicesValues {
  answers: Array<{ header: string; options?: string[]; other?: string }>;
}

const MAX_QUESTIONS = 4;
const MIN_OPTIONS = 2;
const MAX_OPTIONS = 4;
const MAX_HEADER_CHARS = 12;
const MAX_TEXT_CHARS = 500;
const MAX_OTHER_CHARS = 1000;

function text(value: unknown, max = MAX_TEXT_CHARS): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined;
}

/** `choices`: 1–4 multiple-choice questions with a free-text escape hatch (capability `choice_chips`). */
export const choices: InteractionKind<ChoicesSpec, ChoicesValues> = {
  kind: 'choices',
  capability: 'choice_chips',
  toolName: 'request_choices',
  toolDescription:
    'Ask the visitor 1–4 short multiple-choice questions, each with 2–4 options; they can also answer in their own words. Use it to narrow down what they need. The result is their answers, or that they declined.',
  toolParameters: {
    type: 'object',
    properties: {
      questions: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_QUESTIONS,
        items: {
          type: 'object',
          properties: {
            question: { type: 'string' },
            header: { type: 'string', maxLength: MAX_HEADER_CHARS, description: 'A short unique label (at most 12 characters).' },
            options: {
              type: 'array',
              minItems: MIN_OPTIONS,
              maxItems: MAX_OPTIONS,
              items: { type: 'object', properties: { label: { type: 'string' }, description: { type: 'string' } }, required: ['label'] },
            },
            multiSelect: { type: 'boolean' },
          },
          required: ['question', 'header', 'options'],
        },
      },
      reason: { type: 'string', description: 'Why you are asking, shown above the questions.' },
    },
    required: ['questions', 'reason'],
  },

  parseSpec(args) {
    const questions = args.questions;
    if (!Array.isArray(questions) || questions.length === 0 || questions.length > MAX_QUESTIONS) {
      return { ok: false, error: `'questions' must be an array of 1 to ${MAX_QUESTIONS} questions` };
    }
    const spec: ChoicesSpec = { questions: [] };
    const headers = new Set<string>();
    for (const q of questions) {
      if (!isRecord(q)) return { ok: false, error: 'each question must be an object' };
      const question = text(q.question);
      const header = typeof q.header === 'string' ? q.header.trim() : '';
      if (!question) return { ok: false, error: "each question needs a 'question' text" };
      if (header === '' || header.length > MAX_HEADER_CHARS) return { ok: false, error: `each question needs a 'header' of 1 to ${MAX_HEADER_CHARS} characters` };
      if (headers.has(header)) return { ok: false, error: `header '${header}' is used twice` };
      headers.add(header);
      if (!Array.isArray(q.options) || q.options.length < MIN_OPTIONS || q.options.length > MAX_OPTIONS) {
        return { ok: false, error: `question '${header}' needs ${MIN_OPTIONS} to ${MAX_OPTIONS} options` };
      }
      const labels = new Set<string>();
      const options: ChoicesSpec['questions'][number]['options'] = [];
      for (const o of q.options) {
        const label = isRecord(o) ? text(o.label, 100) : undefined;
        if (!label || labels.has(label)) return { ok: false, error: `question '${header}' has an option without a unique 'label'` };
        labels.add(label);
        const description = isRecord(o) ? text(o.description) : undefined;
        options.push({ label, ...(description ? { description } : {}) });
      }
      spec.questions.push({ question, header, options, multiSelect: q.multiSelect === true });
    }
    return { ok: true, spec };
  },

  validate(spec, values): Validation<ChoicesValues> {
    const errors: InteractionFieldError[] = [];
    const answers = values.answers;
    if (!Array.isArray(answers)) return { ok: false, errors: [{ field: 'answers', message: 'Answers must be a list.' }] };
    const byHeader = new Map<string, Record<string, unknown>>();
    for (const answer of answers) {
      if (!isRecord(answer) || typeof answer.header !== 'string') {
        errors.push({ field: 'answers', message: 'Each answer must name the question it answers.' });
        continue;
      }
      if (!spec.questions.some((q) => q.header === answer.header)) errors.push({ field: answer.header, message: 'No such question.' });
      else if (byHeader.has(answer.header)) errors.push({ field: answer.header, message: 'This question was answered twice.' });
      else byHeader.set(answer.header, answer);
    }
    const clean: ChoicesValues = { answers: [] };
    for (const q of spec.questions) {
      const answer = byHeader.get(q.header);
      const picked = answer?.options ?? [];
      const otherRaw = answer?.other;
      if (!Array.isArray(picked) || picked.some((p) => typeof p !== 'string') || (otherRaw !== undefined && typeof otherRaw !== 'string')) {
        errors.push({ field: q.header, message: 'Answers must be text.' });
        continue;
      }
      const labels = q.options.map((o) => o.label);
      const chosen = [...new Set(picked as string[])];
      const other = typeof otherRaw === 'string' && otherRaw.trim() !== '' ? otherRaw.trim() : undefined;
      if (chosen.some((p) => !labels.includes(p))) errors.push({ field: q.header, message: 'Pick one of the offered options.' });
      else if (other && other.length > MAX_OTHER_CHARS) errors.push({ field: q.header, message: `Keep your answer under ${MAX_OTHER_CHARS} characters.` });
      else if (chosen.length === 0 && !other) errors.push({ field: q.header, message: 'Please answer this question.' });
      else if (!q.multiSelect && chosen.length + (other ? 1 : 0) > 1) errors.push({ field: q.header, message: 'Pick only one answer.' });
      else clean.answers.push({ header: q.header, ...(chosen.length > 0 ? { options: chosen } : {}), ...(other ? { other } : {}) });
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, values: clean };
  },

  fallback(spec, reason) {
    const asks = spec.questions
      .map((q, i) => `${i + 1}. ${q.question} Options: ${q.options.map((o) => o.label).join(' / ')}${q.multiSelect ? ' (several allowed)' : ''}`)
      .join(' ');
    return (
      "This visitor's client cannot display choice buttons, so none were shown. Ask them in plain text, in your reply" +
      `${reason ? ` (${reason})` : ''}, listing the options and inviting an answer in their own words: ${asks}`
    );
  },
};
