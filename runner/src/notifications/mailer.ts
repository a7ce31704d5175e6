import nodemailer, { type Transporter } from 'nodemailer';
import type { Log } from '../worker/logger';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * Outgoing mail: SMTP when MAESTRO_SMTP_URL is set, else a transport that
 * writes each message to the log (development, tests without a mail server).
 */
export function createMailer(options: { smtpUrl?: string; from: string; log: Log }): Mailer {
  const transport: Transporter = options.smtpUrl
    ? nodemailer.createTransport(options.smtpUrl)
    : nodemailer.createTransport({ jsonTransport: true });
  return {
    async send(mail) {
      const info = (await transport.sendMail({ from: options.from, ...mail })) as {
        message?: unknown;
      };
      if (!options.smtpUrl)
        options.log.info({ mail: String(info.message ?? '') }, 'email (log transport)');
    },
    close: () => transport.close(),
  };
}
