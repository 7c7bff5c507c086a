// ISO-8601 durations (`PT1H`, `P7D`, `P1DT12H`) as used by OpenCTI's CONNECTOR_DURATION_PERIOD.
// Years and months are refused: they have no fixed length.

const DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Milliseconds in an ISO-8601 duration, or undefined when the text is not one. */
export function parseIsoDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  const [, w, d, h, min, s] = m.map((part) => (part === undefined ? 0 : Number(part)));
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
}
