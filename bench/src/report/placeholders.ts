/** Figures of the issue that the landed features cannot produce yet, listed so they are not forgotten. */
export interface Placeholder {
  readonly figure: string;
  /** The missing feature in a few words, for the summary table. */
  readonly short: string;
  readonly needs: string;
  readonly plan: string;
}

export const placeholders: readonly Placeholder[] = [];
