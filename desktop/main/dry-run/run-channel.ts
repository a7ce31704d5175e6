import type { EngineEvent } from '../../../shared/src/index';

/**
 * The events of one dry-run, kept so that a subscriber arriving late (the
 * renderer subscribes after `start` returns) first gets everything already
 * emitted, then the live stream, ending after `run.finished`.
 */
export class RunChannel {
  private readonly events: EngineEvent[] = [];
  private finished = false;
  private readonly waiters = new Set<() => void>();

  push(event: EngineEvent): void {
    if (this.finished) return;
    this.events.push(event);
    if (event.type === 'run.finished') this.finished = true;
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  get done(): boolean {
    return this.finished;
  }

  async *subscribe(signal?: AbortSignal): AsyncGenerator<EngineEvent> {
    let next = 0;
    while (!signal?.aborted) {
      while (next < this.events.length) yield this.events[next++]!;
      if (this.finished) return;
      await this.nextEvent(signal);
    }
  }

  private nextEvent(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
