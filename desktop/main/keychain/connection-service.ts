import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { ConnectionRef, ConnectionRepository } from '../storage/connection.repository';
import type { NewConnection } from './connection-secret';
import type { Keychain, KeychainStatus } from './keychain';

/** Connections: the reference in SQLite, the secret in the OS keychain and nowhere else. */
export class ConnectionService {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly keychain: Keychain,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  list(): ConnectionRef[] {
    return this.connections.list();
  }

  status(): Promise<KeychainStatus> {
    return this.keychain.status();
  }

  async create(input: NewConnection): Promise<{ id: string }> {
    await this.requireKeychain('store this secret');
    const id = randomUUID();
    await this.keychain.setSecret(id, JSON.stringify({ kind: input.kind, secret: input.secret }));
    try {
      this.connections.insert({ id, name: input.name, kind: input.kind, createdAt: this.now() });
    } catch (error) {
      // No reference, no secret: never leave an orphan in the keychain.
      await this.keychain.deleteSecret(id);
      throw error;
    }
    return { id };
  }

  async delete(id: string): Promise<void> {
    if (!this.connections.find(id)) {
      throw new TRPCError({ code: 'NOT_FOUND', message: `No connection with id ${id}.` });
    }
    // The secret goes first: a reference without a secret is harmless, the reverse is a leak.
    await this.requireKeychain('delete this secret');
    await this.keychain.deleteSecret(id);
    this.connections.delete(id);
  }

  private async requireKeychain(action: string): Promise<void> {
    const status = await this.keychain.status();
    if (status.keychainAvailable) return;
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message:
        `No OS keychain is available, so Maestro cannot ${action}; it never writes secrets anywhere else. ${status.reason ?? ''}`.trim(),
    });
  }
}
