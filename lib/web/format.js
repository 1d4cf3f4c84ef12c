/** 75.4 → "01:15", 3723 → "1:02:03": whole seconds, rounded down like a player's clock. */
export function clock(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const mm = String(Math.floor((whole % 3600) / 60)).padStart(2, '0');
  const ss = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** "00:05–00:09". */
export function range(start, end) {
  return `${clock(start)}–${clock(end)}`;
}

/** Similarity scores to three decimals: CLIP cosines differ in the second. */
export function score(value) {
  return value.toFixed(3);
}
