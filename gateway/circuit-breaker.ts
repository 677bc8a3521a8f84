// A subgraph that keeps failing is skipped for a short while, so that every request is not held
// up waiting for its deadline: after `failureThreshold` failures in a row the circuit opens; once
// `openMs` has passed, one request at a time probes it (half-open), and the first success closes it.

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

export class CircuitBreaker {
  private failuresInARow = 0;
  private openedAt = 0;
  private probing = false;
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

  /** Whether a request may go to the subgraph now. A true answer in half-open state is the probe: report its outcome. */
  tryPass(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (this.retryInMs > 0) return false;
      this.moveTo('half-open');
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.failuresInARow = 0;
    this.probing = false;
    if (this.current !== 'closed') this.moveTo('closed');
  }

  failed(): void {
    this.failuresInARow += 1;
    this.probing = false;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failuresInARow >= this.options.failureThreshold)) {
      this.openedAt = this.now();
      this.moveTo('open');
    }
  }

  /** A request that ended without a verdict on the subgraph (its client went away): the next one may probe. */
  abandoned(): void {
    this.probing = false;
  }

  private moveTo(state: CircuitState): void {
    this.current = state;
    this.options.onStateChange?.(state, this);
  }
}
