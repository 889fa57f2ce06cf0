/** Text pulled out of one file or page, before it becomes a document. */
export interface Extracted {
  content: string;
  /** Only a title the source itself declares; callers choose their own fallback. */
  title?: string;
  /** Absolute http(s) links found in the source; only HTML has any. */
  links?: string[];
}

export interface ExtractContext {
  /** Page URL, so relative links resolve to where they point. */
  baseUrl?: string;
  /** Encoding named by a `Content-Type` header; files carry none. */
  charset?: string;
}

export type Extractor = (bytes: Uint8Array, context: ExtractContext) => Promise<Extracted>;
