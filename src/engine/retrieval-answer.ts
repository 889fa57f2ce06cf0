import type { KnowledgeHit } from '../knowledge/index.js';

/** The neutral lead of a quoted answer: where the text comes from, nothing about how it was produced. */
export const ANSWER_LEAD = 'Here is what our help center says:';

/**
 * A further passage is quoted only when nearly as relevant as the best one: this share of its
 * confidence and of its score. Anything less is a document that merely shares a word.
 */
const NEAR_CONFIDENCE = 0.85;
const NEAR_SCORE = 0.6;
const MAX_PASSAGES = 2;
/** A passage longer than this is cut at a paragraph (then line, then word) boundary, never mid-Markdown. */
const MAX_PASSAGE_CHARS = 1200;

export interface RetrievalAnswerOptions {
  /** How to reach a person (SMOOTH_AGENT_CONTACT), offered when nothing was found. */
  contact?: string;
}

export interface RetrievalAnswer {
  reply: string;
  /** The hits the reply quotes: the turn's citations, nothing else. */
  quoted: KnowledgeHit[];
  /** True when the visitor asked something and the knowledge base had nothing for it. */
  foundNothing: boolean;
}

type SmallTalk = 'greeting' | 'thanks' | 'goodbye';

const GREETINGS = new Set(['hi', 'hello', 'hey', 'hiya', 'howdy', 'greetings', 'yo', 'morning', 'afternoon', 'evening', 'good', 'there', 'hallo', 'heya']);
const THANKS = new Set(['thanks', 'thank', 'thx', 'ty', 'cheers', 'appreciated', 'appreciate', 'great', 'perfect', 'awesome', 'ok', 'okay', 'cool', 'much', 'lot', 'so', 'very', 'you', 'that', 'helps', 'helped', 'it', 'this', 'was', 'helpful']);
const GOODBYES = new Set(['bye', 'goodbye', 'cya', 'later', 'see', 'you', 'ya', 'farewell', 'night', 'good']);

/** Recognises a message that is only a greeting, a thank-you or a goodbye (a few words, nothing else). */
export function smallTalk(message: string): SmallTalk | undefined {
  const words = message.toLowerCase().match(/[a-z]+/g) ?? [];
  if (words.length === 0 || words.length > 6) return undefined;
  const only = (set: Set<string>) => words.every((w) => set.has(w));
  if (words.some((w) => w.startsWith('thank') || w === 'thx' || w === 'ty' || w === 'cheers') && only(THANKS)) return 'thanks';
  if (words.some((w) => ['bye', 'goodbye', 'cya', 'farewell'].includes(w)) && only(GOODBYES)) return 'goodbye';
  if (only(GREETINGS) && words.some((w) => w !== 'good' && w !== 'there')) return 'greeting';
  return undefined;
}

const SMALL_TALK_REPLIES: Record<SmallTalk, string> = {
  greeting: 'Hello! What can I help you with today?',
  thanks: "You're welcome! Is there anything else I can help you with?",
  goodbye: 'Goodbye, and thanks for getting in touch!',
};

/** Cuts Markdown at the last paragraph, line or word boundary before the limit. */
function trimPassage(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= MAX_PASSAGE_CHARS) return trimmed;
  const head = trimmed.slice(0, MAX_PASSAGE_CHARS);
  for (const boundary of ['\n\n', '\n', ' ']) {
    const at = head.lastIndexOf(boundary);
    if (at > MAX_PASSAGE_CHARS / 2) return `${head.slice(0, at).trimEnd()} …`;
  }
  return `${head} …`;
}

/** The passages worth quoting: the best hit, and others only when nearly as relevant. */
function answeringPassages(hits: readonly KnowledgeHit[]): KnowledgeHit[] {
  const [best, ...rest] = hits;
  if (!best) return [];
  const bestConfidence = best.confidence ?? 0;
  const chosen = [best];
  for (const hit of rest) {
    if (chosen.length >= MAX_PASSAGES) break;
    if ((hit.confidence ?? 0) < NEAR_CONFIDENCE * bestConfidence || hit.score < NEAR_SCORE * best.score) continue;
    if (chosen.some((c) => c.chunkId === hit.chunkId || c.text === hit.text)) continue;
    chosen.push(hit);
  }
  return chosen;
}

function nothingFound(options: RetrievalAnswerOptions): string {
  const lines = [
    "I couldn't find anything about that in our help center.",
    'Could you rephrase your question, or add a detail such as the product, the order or what you were trying to do?',
  ];
  if (options.contact) lines.push(`If you would rather talk to a person, you can reach our team: ${options.contact}`);
  return lines.join(' ');
}

/**
 * The reply when no LLM is configured: the knowledge base's own words, never invented text. `hits`
 * are the turn's confident hits, best first. Markdown is quoted as written (headings, lists, bold),
 * so the widget renders it; where it comes from is in the citations, not repeated in the text.
 */
export function retrievalAnswer(message: string, hits: readonly KnowledgeHit[], options: RetrievalAnswerOptions = {}): RetrievalAnswer {
  const quoted = answeringPassages(hits);
  if (quoted.length === 0) {
    const talk = smallTalk(message);
    if (talk) return { reply: SMALL_TALK_REPLIES[talk], quoted: [], foundNothing: false };
    return { reply: nothingFound(options), quoted: [], foundNothing: true };
  }
  return { reply: [ANSWER_LEAD, ...quoted.map((h) => trimPassage(h.text))].join('\n\n'), quoted, foundNothing: false };
}

/** Splits a reply into word-sized pieces so it streams like a model's answer (whitespace, newlines kept). */
export function streamPieces(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}
