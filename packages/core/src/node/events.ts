import type { NodeEvent } from './api.js';

/** The node's subscribers. A listener that throws is skipped: a faulty listener must not break delivery. */
export interface NodeEvents {
  emit(event: NodeEvent): void;
  /** Reports a failure of background work as an `error` event. */
  report(error: unknown): void;
  subscribe(listener: (event: NodeEvent) => void): () => void;
}

export function nodeEvents(): NodeEvents {
  const listeners = new Set<(event: NodeEvent) => void>();
  const emit = (event: NodeEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // Ignored, see above.
      }
    }
  };
  return {
    emit,
    report: (error) => emit({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
