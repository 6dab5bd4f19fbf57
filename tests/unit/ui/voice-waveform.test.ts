// The waveform a voice note carries (ui/voice-waveform.ts): at most 128 bars of one byte, the loudest 255,
// silence flat, and the level of an AnalyserNode frame.
import { describe, expect, test } from "vitest";
import { MAX_WAVEFORM_BARS, frameLevel, waveformFromLevels } from "../../../web/src/ui/voice-waveform.js";

describe("voice note waveform", () => {
  test("a long recording gives exactly 128 bars, the loudest one 255", () => {
    const levels = Array.from({ length: 1000 }, (_, i) => (i === 500 ? 0.8 : 0.2));
    const bars = waveformFromLevels(levels);
    expect(bars.length).toBe(MAX_WAVEFORM_BARS);
    expect(Math.max(...bars)).toBe(255);
    expect(bars[64]).toBe(255);
    expect(bars[0]).toBe(Math.round((0.2 / 0.8) * 255));
  });

  test("a short recording gives one bar per level; none gives none", () => {
    expect([...waveformFromLevels([0.1, 0.5, 0.25])]).toEqual([51, 255, 128]);
    expect(waveformFromLevels([]).length).toBe(0);
  });

  test("silence stays flat instead of amplifying noise, and odd levels are clamped", () => {
    expect([...waveformFromLevels([0.001, 0.002, 0])]).toEqual([0, 0, 0]);
    expect([...waveformFromLevels([Number.NaN, 2, -1, 0.5])]).toEqual([0, 255, 0, 128]);
  });

  test("a frame's level is its largest distance from the 128 midpoint", () => {
    expect(frameLevel(new Uint8Array([128, 128, 128]))).toBe(0);
    expect(frameLevel(new Uint8Array([128, 192, 100]))).toBe(0.5);
    expect(frameLevel(new Uint8Array([0, 128]))).toBe(1);
  });
});
