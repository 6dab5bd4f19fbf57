/** Figures of the issue that the landed features cannot produce yet, listed so they are not forgotten. */
export interface Placeholder {
  readonly figure: string;
  /** The missing feature in a few words, for the summary table. */
  readonly short: string;
  readonly needs: string;
  readonly plan: string;
}

export const placeholders: readonly Placeholder[] = [
  {
    figure: "3. Linking a new device by QR until 10,000 messages are readable",
    short: "a two-profile linking fixture in bench/",
    needs:
      "a bench fixture that drives the link flow between two Chromium profiles (the first one restored, as in figure 3; the QR read from a fake camera or pasted, as tests/e2e/link.test.ts does)",
    plan:
      "time from confirming on the existing device to the new device's chat list. The history part is already measured: linking ends in the same history load as the restore of figure 3 (web/src/client/history.ts loadHistory), so what is missing is the handshake, a few requests and signatures.",
  },
];
