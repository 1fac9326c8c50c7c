/** The caps of the connection gate, from the relay's options. */
export interface GateLimits {
  readonly maxConnectionsPerAddress: number;
  readonly maxAuthenticating: number;
  readonly maxAuthenticatingPerAddress: number;
}

/**
 * Counts connections per source address, and those still authenticating (from the TCP accept to WELCOME),
 * globally and per address, so that no address can take all connections, and unauthenticated connections — which
 * cost the relay memory and a key agreement but prove nothing — stay few. What it refuses is closed with 4029.
 */
export interface ConnectionGate {
  /** A connection from `address` arrived: undefined when it is let in (and counted), else why it is refused. */
  open(address: string): string | undefined;
  /** A counted connection authenticated: it no longer counts as authenticating. */
  authenticated(address: string): void;
  /** A counted connection closed. */
  closed(address: string, wasAuthenticated: boolean): void;
  readonly authenticating: number;
}

export function connectionGate(limits: GateLimits): ConnectionGate {
  const byAddress = new Map<string, { open: number; authenticating: number }>();
  let authenticating = 0;
  return {
    open(address) {
      const counts = byAddress.get(address) ?? { open: 0, authenticating: 0 };
      if (counts.open >= limits.maxConnectionsPerAddress) return `${limits.maxConnectionsPerAddress} connections from this address already (maxConnectionsPerAddress)`;
      if (counts.authenticating >= limits.maxAuthenticatingPerAddress) return `${limits.maxAuthenticatingPerAddress} connections from this address are still authenticating (maxAuthenticatingPerAddress)`;
      if (authenticating >= limits.maxAuthenticating) return `${limits.maxAuthenticating} connections are still authenticating (maxAuthenticating)`;
      counts.open++;
      counts.authenticating++;
      authenticating++;
      byAddress.set(address, counts);
      return undefined;
    },
    authenticated(address) {
      const counts = byAddress.get(address);
      if (!counts || counts.authenticating === 0) return;
      counts.authenticating--;
      authenticating--;
    },
    closed(address, wasAuthenticated) {
      const counts = byAddress.get(address);
      if (!counts) return;
      counts.open--;
      if (!wasAuthenticated && counts.authenticating > 0) {
        counts.authenticating--;
        authenticating--;
      }
      // Only addresses with open connections are remembered.
      if (counts.open <= 0) byAddress.delete(address);
    },
    get authenticating() {
      return authenticating;
    },
  };
}
