// Figures of the reliability suite (retries seen, waits measured, objects delivered, time to
// recover). Each scenario records its numbers; when RELIABILITY_FIGURES names a file they are
// appended to it as JSON lines, which is where RELIABILITY.md's "last run" columns come from.
import { appendFileSync } from 'node:fs';

export type Figures = Record<string, string | number | boolean | null>;

/** Appends one scenario's figures to $RELIABILITY_FIGURES (no-op when unset). */
export function recordFigures(scenario: string, figures: Figures): void {
  const file = process.env.RELIABILITY_FIGURES;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures })}\n`);
}

/** Milliseconds since `start`, rounded. */
export function msSince(start: number): number {
  return Math.round(Date.now() - start);
}
