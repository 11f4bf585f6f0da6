/** A lab server's log: entries stamped with the server's clock, handed to every listener; a listener's fault is not the server's. */
import { Clock, systemClock } from '../core/time/clock';

export class LogListeners<E extends { time: string }> {
  private readonly listeners = new Set<(e: E) => void>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Adds a listener; returns the function that removes it. */
  add(listener: (e: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: Omit<E, 'time'>): void {
    const entry = { time: this.clock().toISOString(), ...e } as E;
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch {
        // a listener's fault is not the server's
      }
    }
  }
}
