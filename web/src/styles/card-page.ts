import { css } from "lit";

/**
 * The centred card that full-page screens (onboarding, recovery key, restore, linking a new device,
 * eviction, removed device) are laid out in. A screen sets `--card-width` on :host to change the card's width; `.mark` is the warning badge.
 */
export const cardPage = css`
  :host {
    display: grid;
    place-items: center;
    min-height: 100%;
    padding: 1.5rem 1rem;
  }
  .card {
    width: min(100%, var(--card-width, 30rem));
    background: var(--surface);
    border-radius: 20px;
    box-shadow: var(--shadow);
    padding: 2rem 1.75rem 1.75rem;
  }
  .mark {
    display: inline-grid;
    place-items: center;
    width: 3.25rem;
    height: 3.25rem;
    border-radius: 16px;
    background: var(--warn-bg);
    color: var(--warn-text);
    font-size: 1.4rem;
    margin-bottom: 1rem;
  }
`;
