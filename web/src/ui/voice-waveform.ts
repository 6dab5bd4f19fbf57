/** The waveform a voice note carries (issue 18): one amplitude byte per bar, at most this many bars. */
export const MAX_WAVEFORM_BARS = 128;

/** Below this loudest level (of 1) the recording counts as silence: its bars stay flat, not amplified noise. */
const SILENCE = 0.01;

/**
 * Bars from the levels measured while recording (each 0..1, one every few tens of milliseconds): the levels
 * are grouped into at most `maxBars` buckets of equal length, each bar the loudest level of its bucket,
 * scaled so the loudest bar is 255. Fewer levels than bars give one bar per level. No level: no bar.
 */
export function waveformFromLevels(levels: readonly number[], maxBars = MAX_WAVEFORM_BARS): Uint8Array {
  const clean = levels.map((l) => (Number.isFinite(l) ? Math.min(1, Math.max(0, l)) : 0));
  const bars = Math.min(Math.max(0, Math.floor(maxBars)), clean.length);
  const peaks = new Array<number>(bars).fill(0);
  for (let i = 0; i < clean.length; i++) {
    const b = Math.min(bars - 1, Math.floor((i * bars) / clean.length));
    peaks[b] = Math.max(peaks[b]!, clean[i]!);
  }
  const loudest = Math.max(0, ...peaks);
  const out = new Uint8Array(bars);
  if (loudest < SILENCE) return out;
  for (let b = 0; b < bars; b++) out[b] = Math.round((peaks[b]! / loudest) * 255);
  return out;
}

/** The level (0..1) of one frame of time-domain samples from an AnalyserNode (128 = silence). */
export function frameLevel(samples: Uint8Array): number {
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s - 128));
  return peak / 128;
}
