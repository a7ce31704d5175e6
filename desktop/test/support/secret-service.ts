import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
    // The keyring files go to a throw-away home: tests never touch the user's keyring.
    const env = {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: address,
      HOME: home,
      XDG_DATA_HOME: home,
      XDG_RUNTIME_DIR: home,
    };
    const keyring = spawn(
      'gnome-keyring-daemon',
      ['--foreground', '--unlock', '--components=secrets'],
      {
        env,
        stdio: ['pipe', 'ignore', 'ignore'],
      },
    );
    children.push(keyring);
    keyring.stdin.end('pw');
    process.env.DBUS_SESSION_BUS_ADDRESS = address;
    await waitForSecretService();
    return { available: true, stop };
  } catch (error) {
    // The packages are installed, so a keyring that does not come up is a failure, not a skip.
    stop();
    throw new Error(`the private Secret Service did not start: ${(error as Error).message}`);
  }
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
 * The keyring registers on the bus, then creates and unlocks the `login`
 * collection from the password on stdin: write until a write succeeds.
 */
async function waitForSecretService(): Promise<void> {
  const { default: keytar } = await import('keytar');
  let lastError: unknown;
  // Up to 30 s: on a loaded machine gnome-keyring can take several seconds to register.
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      await keytar.setPassword('maestro-test-probe', 'probe', 'ready');
      await keytar.deletePassword('maestro-test-probe', 'probe');
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`the Secret Service did not answer: ${(lastError as Error).message}`);
}
