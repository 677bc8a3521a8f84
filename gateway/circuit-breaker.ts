// A subgraph that keeps failing is skipped for a short while, so that every request is not held
// up waiting for its deadline: after `failureThreshold` failures in a row the circuit opens; once
// `openMs` has passed, one request probes it (half-open), and its outcome alone closes the circuit
// or opens it again. Requests let through earlier that end meanwhile say nothing: the probe does.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures in a row that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit skips the subgraph before it lets a probe through. */
  openMs: number;
  /** Called when the state changes: the gateway logs it. */
  onStateChange?: (state: CircuitState, breaker: CircuitBreaker) => void;
  now?: () => number;
}

/** A request the circuit let through; its outcome is reported with it. */
export interface Pass {
  readonly probe: boolean;
}

const REGULAR: Pass = Object.freeze({ probe: false });

export class CircuitBreaker {
  private failuresInARow = 0;
  private openedAt = 0;
  private probe: Pass | undefined;
  private current: CircuitState = 'closed';
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.current;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.failuresInARow;
  }

  /** Milliseconds until an open circuit lets a probe through; 0 when it is not open. */
  get retryInMs(): number {
    return this.current === 'open' ? Math.max(0, this.openedAt + this.options.openMs - this.now()) : 0;
  }

  /** A pass when a request may go to the subgraph now, undefined when it is to be skipped. */
  tryPass(): Pass | undefined {
    if (this.current === 'closed') return REGULAR;
    if (this.current === 'open') {
      if (this.retryInMs > 0) return undefined;
      this.moveTo('half-open');
    }
    if (this.probe) return undefined;
    return (this.probe = { probe: true });
  }

  succeeded(pass: Pass): void {
    if (this.current === 'closed') {
      this.failuresInARow = 0;
      return;
    }
    if (pass !== this.probe) return;
    this.probe = undefined;
    this.failuresInARow = 0;
    this.moveTo('closed');
  }

  failed(pass: Pass): void {
    if (this.current === 'closed') {
      this.failuresInARow += 1;
      if (this.failuresInARow >= this.options.failureThreshold) this.open();
      return;
    }
    if (pass !== this.probe) return;
    this.probe = undefined;
    this.failuresInARow += 1;
    this.open();
  }

  /**
   * The subgraph says it is ready again (its /readyz): an open circuit closes now instead of after
   * the rest of its wait and a probe, which one request alone could take while others were
   * skipped. If it still fails, it opens again after as many failures as at first.
   */
  reportedReady(): void {
    if (this.current !== 'open') return;
    this.failuresInARow = 0;
    this.moveTo('closed');
  }

  /** A request that ended without a verdict on the subgraph (its client went away): a probe's turn passes to the next request. */
  abandoned(pass: Pass): void {
    if (pass === this.probe) this.probe = undefined;
  }

  private open(): void {
    this.openedAt = this.now();
    this.moveTo('open');
  }

  private moveTo(state: CircuitState): void {
    this.current = state;
    this.options.onStateChange?.(state, this);
  }
}
