import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Env } from './env-schema';

/** HTTPS served by the API itself (MAESTRO_TLS_*). */
export interface TlsConfig {
  certFile: string;
  keyFile: string;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

type Problem = { variable: string; message: string };

/**
 * What is wrong with the TLS variables, checked at start so a bad deployment fails with a
 * message naming the variable: only one of the two files set, a file that cannot be read, or a
 * key that does not match the certificate. (Messages name paths, never file contents.)
 */
export function tlsProblems(env: Record<string, string | undefined>): Problem[] {
  const certFile = env.MAESTRO_TLS_CERT_FILE;
  const keyFile = env.MAESTRO_TLS_KEY_FILE;
  if (!certFile && !keyFile) return [];
  if (!certFile)
    return [
      {
        variable: 'MAESTRO_TLS_CERT_FILE',
        message: 'required when MAESTRO_TLS_KEY_FILE is set (set both or neither)',
      },
    ];
  if (!keyFile)
    return [
      {
        variable: 'MAESTRO_TLS_KEY_FILE',
        message: 'required when MAESTRO_TLS_CERT_FILE is set (set both or neither)',
      },
    ];
  const problems: Problem[] = [];
  const cert = readOrReport('MAESTRO_TLS_CERT_FILE', certFile, problems);
  const key = readOrReport('MAESTRO_TLS_KEY_FILE', keyFile, problems);
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (error) {
      problems.push({
        variable: 'MAESTRO_TLS_KEY_FILE',
        message: `the certificate and key cannot be used together (${(error as Error).message}): expected a PEM certificate chain and its PEM private key`,
      });
    }
  }
  return problems;
}

function readOrReport(variable: string, path: string, problems: Problem[]): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    problems.push({ variable, message: `cannot read ${JSON.stringify(path)} (${code})` });
    return undefined;
  }
}

export function tlsConfigOf(e: Env): TlsConfig | undefined {
  if (!e.MAESTRO_TLS_CERT_FILE || !e.MAESTRO_TLS_KEY_FILE) return undefined;
  return {
    certFile: e.MAESTRO_TLS_CERT_FILE,
    keyFile: e.MAESTRO_TLS_KEY_FILE,
    minVersion: e.MAESTRO_TLS_MIN_VERSION,
  };
}

/** Options for Node's HTTPS server (the files are read when the server is built). */
export function httpsOptions(tls: TlsConfig) {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    minVersion: tls.minVersion,
  };
}
