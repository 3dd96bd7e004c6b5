// `--max-total`: what a whole batch may spend, in integer micro-USD. Lines run at once, so each one
// reserves its price before it is sent and settles to what its receipt charged afterwards: the
// calls in flight can never spend more than is left, whatever order they finish in.

export class Budget {
  #left: number;
  #spent = 0;

  constructor(readonly total: number) {
    this.#left = total;
  }

  /** What is neither spent nor reserved. */
  get left(): number {
    return this.#left;
  }

  /** Charged so far (settled lines). */
  get spent(): number {
    return this.#spent;
  }

  /** Takes `amount` out of what is left; false (nothing taken) when it is not there. */
  reserve(amount: number): boolean {
    if (amount > this.#left) return false;
    this.#left -= amount;
    return true;
  }

  /**
   * A reserved line is done: `charged` is what it cost (its receipt's amount; the whole
   * reservation when it may have been charged without a receipt, 0 when nothing was charged).
   */
  settle(reserved: number, charged: number): void {
    this.#spent += charged;
    // A receipt above its reservation (the SDK reports it) still counts in full.
    this.#left += reserved - charged;
  }
}
