import type { GateScheduler } from '../../core/ports';
import type { GateCheck } from '../../core/promotion/gate-check';

/**
 * The gates queue of the dev server: checks wait in memory until they are
 * due. With `timers`, each is run when its delay is over; without, a caller
 * runs what is due (`runDue`), with the clock it chooses.
 */
export class InProcessGates implements GateScheduler {
  readonly pending: Array<{ readonly check: GateCheck; readonly dueAt: number }> = [];
  private run: ((check: GateCheck) => Promise<unknown>) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly options: { readonly now: () => Date; readonly timers?: boolean; readonly onError?: (check: GateCheck, error: unknown) => void },
  ) {}

  /** What looks at a due check (runGateCheck, bound to its deps). */
  bind(run: (check: GateCheck) => Promise<unknown>): void {
    this.run = run;
  }

  async schedule(check: GateCheck, delaySeconds: number): Promise<void> {
    this.pending.push({ check, dueAt: this.options.now().getTime() + delaySeconds * 1000 });
    if (this.options.timers === true) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.runDue();
      }, delaySeconds * 1000);
      timer.unref();
      this.timers.add(timer);
    }
  }

  /** Runs every check that is due now, in the order they fell due; returns how many ran. */
  async runDue(): Promise<number> {
    const now = this.options.now().getTime();
    const due = this.pending.filter((p) => p.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
    for (const item of due) this.pending.splice(this.pending.indexOf(item), 1);
    for (const { check } of due) {
      try {
        await this.run?.(check);
      } catch (error) {
        // As on AWS: the check comes back for another look.
        this.options.onError?.(check, error);
        await this.schedule(check, 30);
      }
    }
    return due.length;
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
