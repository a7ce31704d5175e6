import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
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

/**
 * Options for Node's HTTPS server, read from the files now. Throws, naming the files, when
 * they cannot be read or the key does not belong to the certificate (never their contents).
 */
export function httpsOptions(tls: TlsConfig) {
  const files = `${JSON.stringify(tls.certFile)} and ${JSON.stringify(tls.keyFile)}`;
  let options: { cert: Buffer; key: Buffer; minVersion: TlsConfig['minVersion'] };
  try {
    options = {
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      minVersion: tls.minVersion,
    };
    createSecureContext(options);
  } catch (error) {
    throw new Error(`cannot use the TLS certificate and key ${files}: ${(error as Error).message}`);
  }
  return options;
}

/**
 * Reads the certificate files again into a running HTTPS server (new connections get them;
 * open ones keep theirs). When the new files cannot be used the server keeps its current
 * certificate: the files are checked before the server's context is touched.
 * @returns the new certificate's subject, SHA-256 fingerprint and expiry, for the log.
 */
export function reloadCertificate(server: TlsServer, tls: TlsConfig) {
  const options = httpsOptions(tls);
  server.setSecureContext(options);
  const cert = new X509Certificate(options.cert);
  return { subject: cert.subject, fingerprint256: cert.fingerprint256, validTo: cert.validTo };
}
