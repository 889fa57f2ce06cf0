/** Delivers a code. Email is built in; a host may supply another channel's sender. */
export interface OtpSender {
  readonly channel: 'email';
  send(message: { to: string; code: string; ttlMinutes: number }): Promise<void>;
}
