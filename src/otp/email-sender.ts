import { createRequire } from 'node:module';
import type { Transporter } from 'nodemailer';
import type { OtpSender } from './otp-sender.js';

export interface EmailSenderOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  smtpUrl: string;
  from: string;
}

/** Sends codes through an SMTP server with nodemailer. */
export class EmailOtpSender implements OtpSender {
  readonly channel = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly options: EmailSenderOptions) {
    // Required only when SMTP is configured (~3 MB of heap otherwise spent on every boot).
    const { createTransport } = createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');
    this.transport = createTransport(options.smtpUrl);
  }

  async send({ to, code, ttlMinutes }: { to: string; code: string; ttlMinutes: number }): Promise<void> {
    await this.transport.sendMail({
      from: this.options.from,
      to,
      subject: `Your verification code: ${code}`,
      text:
        `Your verification code is ${code}.\n\n` +
        `It expires in ${ttlMinutes} minutes. If you did not ask for it, you can ignore this email.\n`,
    });
  }

  close(): void {
    this.transport.close();
  }
}
