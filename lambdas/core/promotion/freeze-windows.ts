import { CronExpressionParser } from 'cron-parser';

/** Why a cron expression cannot open a freeze window, or undefined when it can. */
export function cronProblem(cron: string): string | undefined {
  if (cron.trim().split(/\s+/).length !== 5) return 'a cron expression of five fields: minute hour day-of-month month day-of-week';
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
    return undefined;
  } catch (error) {
    return `not a cron expression: ${(error as Error).message}`;
  }
}

/** Whether the runtime knows an IANA time zone. */
export function zoneKnown(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A freeze window: opens at each time `cron` names in `timezone`, for `durationSeconds`. */
export interface FreezeRule {
  readonly cron: string;
  readonly timezone: string;
  readonly durationSeconds: number;
}

/**
 * The freeze window `now` falls in, if any: the latest opening at or before
 * `now` whose duration has not run out, and when it closes.
 */
export function activeFreeze(rules: readonly FreezeRule[], now: Date): { readonly rule: FreezeRule; readonly opened: Date; readonly closes: Date } | undefined {
  for (const rule of rules) {
    // The opening at `now` itself counts: step a second past it before looking back.
    const expression = CronExpressionParser.parse(rule.cron, { currentDate: new Date(now.getTime() + 1000), tz: rule.timezone });
    const opened = expression.prev().toDate();
    const closes = new Date(opened.getTime() + rule.durationSeconds * 1000);
    if (opened.getTime() <= now.getTime() && now.getTime() < closes.getTime()) return { rule, opened, closes };
  }
  return undefined;
}
