/** Thrown inside the engine when a request's time budget has run out; the engine answers with what it has (nothing). */
export class BudgetExceeded extends Error {
  constructor() {
    super('autocomplete time budget exceeded');
    this.name = 'BudgetExceeded';
  }
}

/** True once `deadline` (epoch milliseconds) has passed; never without one. */
export function isPastDeadline(deadline: number | undefined): boolean {
  return deadline !== undefined && Date.now() > deadline;
}

/**
 * Throws `BudgetExceeded` once `deadline` (epoch milliseconds, `Date.now()`
 * clock: it is shared by the threads, unlike `performance.now()`) has
 * passed. No deadline means no budget (the bench and unit tests).
 */
export function checkBudget(deadline: number | undefined): void {
  if (isPastDeadline(deadline)) throw new BudgetExceeded();
}

/** Loop iterations between two clock reads in the engine's long loops. */
export const BUDGET_CHECK_INTERVAL = 4096;
