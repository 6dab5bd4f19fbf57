import { css } from "lit";

/**
 * A Settings card holding one on/off choice: a heading, then a checkbox with its label and a muted hint
 * (sealed-typing-setting.ts, sealed-receipt-settings.ts).
 */
export const switchSection = css`
  :host {
    display: block;
  }
  section {
    background: var(--surface);
    border-radius: var(--radius);
    box-shadow: var(--shadow);
    padding: 1.25rem;
  }
  h2 {
    margin: 0 0 0.75rem;
    font-size: 1.15rem;
  }
  label {
    display: flex;
    gap: 0.6rem;
    align-items: flex-start;
    cursor: pointer;
  }
  input {
    width: 1.15rem;
    height: 1.15rem;
    margin: 0.15rem 0 0;
    flex: none;
    accent-color: var(--accent);
  }
  .hint {
    display: block;
    font-weight: 400;
    font-size: 0.85rem;
    color: var(--muted);
  }
`;
