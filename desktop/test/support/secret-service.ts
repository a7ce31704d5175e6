import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretService {
  available: boolean;
  /** What is missing, when not available. */
  reason?: string;
  stop(): void;
}

const NEEDS =
  'a D-Bus session bus and a Secret Service: the Debian packages dbus-x11 (dbus-daemon) and gnome-keyring';

/**
 * Starts a private D-Bus session bus and an unlocked gnome-keyring (Secret
 * Service) for this test process, like
 * `dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets; …'`,
 * and points DBUS_SESSION_BUS_ADDRESS at it so that keytar talks to it.
 */
export async function startSecretService(): Promise<SecretService> {
  for (const binary of ['dbus-daemon', 'gnome-keyring-daemon']) {
    if (spawnSync('which', [binary]).status !== 0) {
      return {
        available: false,
        reason: `${binary} is not installed; these tests need ${NEEDS}`,
        stop() {},
      };
    }
  }
  const home = mkdtempSync(join(tmpdir(), 'maestro-keyring-'));
  const children: ChildProcess[] = [];
  const previousBus = process.env.DBUS_SESSION_BUS_ADDRESS;
  const stop = (): void => {
    for (const child of children) child.kill();
    if (previousBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = previousBus;
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(bus);
    const address = await firstLine(bus, 30_000);
    process.env.DBUS_SESSION_BUS_ADDRESS = address;
    // Should a keyring not come up in time, a fresh daemon on the same bus is tried.
    let lastError: unknown;
    for (let attempt = 1; attempt <= KEYRING_ATTEMPTS; attempt++) {
      const keyring = startKeyring(address, home, attempt);
      children.push(keyring);
      try {
        await waitForSecretService(address, KEYRING_WAIT_MS);
        return { available: true, stop };
      } catch (error) {
        lastError = error;
        if (keyring.exitCode === null && keyring.signalCode === null) {
          const exited = new Promise((resolve) => keyring.once('exit', resolve));
          keyring.kill();
          await exited;
        }
      }
    }
    throw lastError;
  } catch (error) {
    // The packages are installed, so a keyring that does not come up is a failure, not a skip.
    stop();
    throw new Error(`the private Secret Service did not start: ${(error as Error).message}`);
  }
}

const KEYRING_ATTEMPTS = 3;
const KEYRING_WAIT_MS = 15_000;

/** An unlocked gnome-keyring (secrets only) with its files in a fresh folder of the throw-away home. */
function startKeyring(address: string, home: string, attempt: number): ChildProcess {
  const dir = join(home, `keyring-${attempt}`);
  mkdirSync(dir);
  const env = {
    ...process.env,
    DBUS_SESSION_BUS_ADDRESS: address,
    HOME: dir,
    XDG_DATA_HOME: dir,
    XDG_RUNTIME_DIR: dir,
  };
  const keyring = spawn(
    'gnome-keyring-daemon',
    ['--foreground', '--unlock', '--components=secrets'],
    {
      env,
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  keyring.stdin.end('pw');
  return keyring;
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dbus-daemon printed no address')), timeoutMs);
    child.once('error', (error) => reject(error));
    child.stdout!.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.toString().trim().split('\n')[0]!);
    });
  });
}

/**
 * The keyring registers on the bus, then creates and unlocks the `login` collection from the
 * password on stdin. Readiness is probed from a child process: libsecret caches what it learns
 * of the service, and a probe that ran in this process while the collection did not exist yet
 * left every later call failing with "Object does not exist at path …/collection/login".
 */
async function waitForSecretService(address: string, timeoutMs: number): Promise<void> {
  const probe = `
    const keytar = require('keytar');
    const deadline = Date.now() + ${timeoutMs};
    (async () => {
      let last;
      while (Date.now() < deadline) {
        try {
          await keytar.setPassword('maestro-test-probe', 'probe', 'ready');
          await keytar.deletePassword('maestro-test-probe', 'probe');
          return process.exit(0);
        } catch (error) {
          last = error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      process.stderr.write(String(last && last.message));
      process.exit(1);
    })();`;
  const child = spawn(process.execPath, ['-e', probe], {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the Secret Service did not answer: ${stderr || `exit ${code}`}`);
}
