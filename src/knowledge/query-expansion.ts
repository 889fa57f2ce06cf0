import { readFileSync } from 'node:fs';
import type { WeightedTerm } from './field-ranking.js';
import { isStopWord, stem, terms, words } from './text-analysis.js';

/** Weight of a term the caller did not type, relative to the caller's own words (1). */
export const SYNONYM_WEIGHT = 0.5;

/**
 * Conversational filler: words a visitor wraps a question in that say little about what is asked.
 * They still match (at a lower weight), but count for little in a hit's confidence.
 */
export const QUERY_FILLER: ReadonlySet<string> = new Set(
  (
    'please help need want know tell like get got thing things stuff way question questions problem problems issue ' +
    'issues policy info information anything something someone anyone still also really actually ever even thank ' +
    'thanks hi hello hey would could may might must let make go going use using try trying able possible much many ' +
    'guys hope wondering wonder say says said ok okay yes'
  ).split(' '),
);
const FILLER_WEIGHT = 0.3;
const FILLER_SALIENCE = 0.2;

/** Another source of terms for a query word (WordNet, a speller); see `QueryAnalyzer`. */
export interface TermSource {
  /** Alternative terms (analysed, stemmed) for one lowercase query word, with their weight (< 1). */
  alternatives(word: string): ReadonlyArray<{ term: string; weight: number }>;
  /** Its terms rank but do not raise a hit's confidence (see `WeightedTerm.rankingOnly`). */
  readonly rankingOnly?: boolean;
}

/**
 * Support-domain equivalences: each line one group of interchangeable phrases, comma-separated.
 * General vocabulary of a support desk (orders, billing, accounts, devices), not of one business;
 * operators extend it with a file of the same format (`SMOOTH_AGENT_RETRIEVAL_SYNONYMS_FILE`).
 */
export const DEFAULT_SUPPORT_SYNONYMS = `
refund, money back, reimbursement, reimburse
return, send back, give back, mail back, post back, ship back
cancel, terminate, unsubscribe, stop subscription
subscription, membership, plan
sign in, log in, login, signin, logon
sign out, log out, logout, signout
account, profile
delete, erase, remove account, close account
order, purchase
package, parcel, shipment
ship, dispatch, deliver, send
delivery, shipping, arrive, arrival
broken, broke, damaged, faulty, defective, not working, stopped working, crushed, smashed, cracked
warranty, guarantee
invoice, receipt, bill
charge, payment, fee
price, cost
promo code, coupon, voucher, discount code
email, e-mail
phone, mobile, smartphone, cell phone
wifi, wi-fi, wireless, router, network
offline, disconnected, drops off, dropping off, keeps disconnecting
two-step verification, two-factor, 2fa, mfa, 2-step verification, login code, verification code
reset, restore factory settings
exchange, swap, replacement, replace
tax, vat, gst, sales tax
customs, import duty, duties
password, passcode
address, location, destination
forgot, forgotten, forget, can't remember, don't remember
currency, euro, dollar, pound sterling, usd, eur, gbp
set up, setup, install, installation
family member, family, household, partner, spouse, wife, husband, kids, children, roommate
wipe, erase, factory reset
recording, footage, video, clip
scam, phishing, suspicious, fraud
vulnerability, security flaw, security bug, exploit, responsible disclosure
plan, tier
compare, comparison, difference, versus
courier, carrier, driver, ups, fedex, dhl, usps
locked, blocked, suspended, disabled
payment method, credit card, debit card, card
firmware, software
notification, alert, ping
security, safety
`;

/**
 * What is left of contractions once words are split at the apostrophe ("won't" → "won" "t", "I'm" →
 * "i" "m"), and the same contractions typed without one ("whats", "isnt"). None of them says what a
 * visitor is asking about, and "won" or "isn" would otherwise match a title such as "won't connect".
 */
const NEGATED_STEMS: ReadonlySet<string> = new Set(
  'won isn aren wasn weren doesn didn haven hasn hadn couldn shouldn wouldn mustn needn don can ain shan'.split(' '),
);
const CONTRACTION_FRAGMENTS: ReadonlySet<string> = new Set('s t m re ve ll d'.split(' '));
const UNPUNCTUATED_CONTRACTIONS: ReadonlySet<string> = new Set(
  (
    'whats hows wheres whos whens whys thats theres heres isnt arent wasnt werent dont doesnt didnt cant couldnt ' +
    'wont wouldnt shouldnt havent hasnt hadnt aint im ive youre youve theyre weve ' +
    // Chat spellings of stop words and of nothing at all ("is ur site ok", "idk", "pls help lol").
    'u ur ya yall r y tho bc cuz coz b4 idk lol omg pls plz thx wanna gonna gotta'
  ).split(' '),
);

/** The query's words without stop words, chat spellings of them, and the debris of contractions. */
export function queryWords(query: string): string[] {
  const all = words(query);
  return all.filter((word, i) => {
    if (isStopWord(word) || CONTRACTION_FRAGMENTS.has(word) || UNPUNCTUATED_CONTRACTIONS.has(word)) return false;
    return !(all[i + 1] === 't' && NEGATED_STEMS.has(word));
  });
}

/**
 * "How long", "how often", "how far": the second word asks for a duration, a frequency or a distance;
 * it is not a topic, and an article rarely says "long" where it answers. Treated as filler there.
 */
const HOW_QUALIFIERS = /\bhow\s+(long|often|far|soon|big|old)\b/giu;

function howQualifiers(query: string): ReadonlySet<string> {
  const found = new Set<string>();
  for (const match of query.toLowerCase().matchAll(HOW_QUALIFIERS)) found.add(match[1]!);
  return found;
}

interface SynonymGroup {
  phrases: string[][];
}

/** Parses the synonym format: one group per non-empty line, phrases separated by commas, `#` comments. */
export function parseSynonyms(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => line.split(',').map((p) => p.trim()).filter((p) => p !== ''))
    .filter((group) => group.length > 1);
}

export interface QueryAnalyzerOptions {
  /** Phrase groups (see `parseSynonyms`); the default support list when absent. */
  synonyms?: string[][];
  /** Further per-word sources (WordNet, spelling), consulted in order. */
  sources?: readonly TermSource[];
}

/**
 * Turns a query into weighted terms: the caller's own (stemmed, stop words dropped) at weight 1, and
 * synonyms of its words and phrases below that, each tied to the word it stands for, so a word
 * counts once however many of its synonyms match.
 */
export class QueryAnalyzer {
  private readonly groups: SynonymGroup[];
  private readonly byFirstTerm = new Map<string, Array<{ group: SynonymGroup; phrase: string[] }>>();

  constructor(private readonly options: QueryAnalyzerOptions = {}) {
    const raw = options.synonyms ?? parseSynonyms(DEFAULT_SUPPORT_SYNONYMS);
    this.groups = raw.map((phrases) => ({ phrases: phrases.map((p) => terms(p)).filter((t) => t.length > 0) }));
    for (const group of this.groups) {
      for (const phrase of group.phrases) {
        const list = this.byFirstTerm.get(phrase[0]!) ?? [];
        list.push({ group, phrase });
        this.byFirstTerm.set(phrase[0]!, list);
      }
    }
  }

  /** Reads a synonym file (the format of `parseSynonyms`) and appends it to the default list. */
  static withSynonymFile(path: string | undefined, sources: readonly TermSource[] = []): QueryAnalyzer {
    const base = parseSynonyms(DEFAULT_SUPPORT_SYNONYMS);
    const extra = path ? parseSynonyms(readFileSync(path, 'utf8')) : [];
    return new QueryAnalyzer({ synonyms: [...base, ...extra], sources });
  }

  analyze(query: string): WeightedTerm[] {
    const raw = queryWords(query);
    const own = raw.map(stem);
    const out: WeightedTerm[] = [];
    const seen = new Map<string, number>();
    const groupOf = new Map<string, number>();
    const add = (term: string, weight: number, group: number, salience = 1, rankingOnly = false) => {
      const at = seen.get(term);
      if (at !== undefined) {
        // A term counts once: as evidence if any occurrence is, at its best weight of that kind.
        const known = out[at]!;
        if (known.rankingOnly && !rankingOnly) out[at] = { term, weight: Math.max(weight, known.weight), group: known.group, salience: known.salience ?? 1 };
        else if (known.weight < weight && (!rankingOnly || known.rankingOnly)) out[at] = { ...known, weight };
        return;
      }
      seen.set(term, out.length);
      out.push(rankingOnly ? { term, weight, group, salience, rankingOnly } : { term, weight, group, salience });
    };
    const asked = howQualifiers(query);
    own.forEach((term, i) => {
      if (!groupOf.has(term)) groupOf.set(term, groupOf.size);
      const filler = QUERY_FILLER.has(raw[i]!) || asked.has(raw[i]!);
      add(term, filler ? FILLER_WEIGHT : 1, groupOf.get(term)!, filler ? FILLER_SALIENCE : 1);
    });
    // Phrase synonyms: wherever a phrase of a group occurs in the query, every other phrase joins it.
    for (let i = 0; i < own.length; i++) {
      for (const { group, phrase } of this.byFirstTerm.get(own[i]!) ?? []) {
        if (!phrase.every((t, k) => own[i + k] === t)) continue;
        const groupId = groupOf.get(own[i]!)!;
        for (const other of group.phrases) {
          if (other === phrase) continue;
          for (const t of other) add(t, SYNONYM_WEIGHT, groupId);
        }
      }
    }
    for (const source of this.options.sources ?? []) {
      raw.forEach((word, i) => {
        for (const alt of source.alternatives(word)) add(alt.term, Math.min(alt.weight, SYNONYM_WEIGHT), groupOf.get(own[i]!)!, 1, source.rankingOnly === true);
      });
    }
    return out;
  }
}
