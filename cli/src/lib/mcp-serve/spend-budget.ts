import { DailyLimitExceeded, type DailySpendStore, type DayReservation } from './daily-spend.js';

/**
 * `--max-spend` (this session) and `--max-spend-per-day` (every session of the profile and gateway
 * on this machine, per UTC day), integer micro-USD. A paid call first reserves the most it can
 * cost; the reservation becomes the receipt's amount when the receipt comes (what counts), goes
 * away when nothing was charged, and stays at the maximum when the outcome is unknown.
 */
export interface BudgetLimits {
  sessionMicroUsd?: number | undefined;
  dailyMicroUsd?: number | undefined;
}

export interface Reservation {
  id: number;
  microUsd: number;
  day: DayReservation | undefined;
}

export type BudgetRefusal = { scope: 'session' | 'day'; usedMicroUsd: number; limitMicroUsd: number; priceMicroUsd: number };

export class BudgetExceeded extends Error {
  constructor(readonly refusal: BudgetRefusal) {
    super(`the ${refusal.scope} budget`);
  }
}

export class SpendBudget {
  #spent = 0;
  #next = 0;
  readonly #reserved = new Map<number, number>();

  constructor(
    readonly limits: BudgetLimits,
    private readonly daily: DailySpendStore | undefined,
  ) {}

  get active(): boolean {
    return this.limits.sessionMicroUsd !== undefined || this.limits.dailyMicroUsd !== undefined;
  }

  /** Settled receipt amounts of this session. */
  get spentMicroUsd(): number {
    return this.#spent;
  }

  /** What this session used, reservations included. */
  get usedMicroUsd(): number {
    let used = this.#spent;
    for (const amount of this.#reserved.values()) used += amount;
    return used;
  }

  async dayUsedMicroUsd(): Promise<number | undefined> {
    return this.daily && this.limits.dailyMicroUsd !== undefined ? this.daily.used() : undefined;
  }

  /** Reserves `priceMicroUsd` or throws `BudgetExceeded` (nothing reserved then). */
  async reserve(priceMicroUsd: number): Promise<Reservation> {
    const session = this.limits.sessionMicroUsd;
    if (session !== undefined && this.usedMicroUsd + priceMicroUsd > session) {
      throw new BudgetExceeded({ scope: 'session', usedMicroUsd: this.usedMicroUsd, limitMicroUsd: session, priceMicroUsd });
    }
    // Held before the daily file is touched: a concurrent call of this session sees it at once.
    const id = (this.#next += 1);
    this.#reserved.set(id, priceMicroUsd);
    let day: DayReservation | undefined;
    const limit = this.limits.dailyMicroUsd;
    if (limit !== undefined && this.daily) {
      try {
        day = await this.daily.reserve(priceMicroUsd, limit);
      } catch (error) {
        this.#reserved.delete(id);
        if (error instanceof DailyLimitExceeded) throw new BudgetExceeded({ scope: 'day', usedMicroUsd: error.usedMicroUsd, limitMicroUsd: limit, priceMicroUsd });
        throw error;
      }
    }
    return { id, microUsd: priceMicroUsd, day };
  }

  /** The receipt's amount is what the call cost. */
  async settle(reservation: Reservation, amountMicroUsd: number): Promise<void> {
    if (!this.#reserved.delete(reservation.id)) return;
    this.#spent += amountMicroUsd;
    if (reservation.day) await this.daily?.settle(reservation.day, amountMicroUsd);
  }

  /** Nothing was charged. */
  async release(reservation: Reservation): Promise<void> {
    if (!this.#reserved.delete(reservation.id)) return;
    if (reservation.day) await this.daily?.release(reservation.day);
  }
}
