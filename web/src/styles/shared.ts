import { css } from "lit";

/** Styles every component shares: buttons, fields, focus rings, the visually-hidden helper. */
export const shared = css`
  :host {
    font-family: var(--font);
    color: var(--text);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  button,
  .button {
    font: inherit;
    font-weight: 600;
    font-size: 0.95rem;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4rem;
    min-height: 2.5rem;
    padding: 0.5rem 1rem;
    border-radius: 999px;
    border: 1px solid transparent;
    cursor: pointer;
    text-decoration: none;
    white-space: nowrap;
    transition: background-color 120ms ease, border-color 120ms ease;
  }
  /* German labels run longer: a button too narrow for its label wraps it rather than spill out of it. */
  button:lang(de),
  .button:lang(de) {
    white-space: normal;
    text-align: center;
  }
  .primary {
    background: var(--accent);
    color: var(--on-accent);
  }
  .primary:hover:not(:disabled) {
    background: var(--accent-hover);
  }
  .secondary {
    background: var(--surface);
    color: var(--text);
    border-color: var(--border);
  }
  .secondary:hover:not(:disabled) {
    background: var(--surface-2);
  }
  .ghost {
    background: transparent;
    color: var(--accent);
  }
  .ghost:hover:not(:disabled) {
    background: var(--accent-soft);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  input[type="text"],
  textarea {
    font: inherit;
    color: var(--text);
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius-sm);
    padding: 0.65rem 0.8rem;
    width: 100%;
  }
  input[type="text"]:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--focus);
    outline-offset: 0;
    border-color: var(--focus);
  }
  .error {
    color: var(--danger);
    font-size: 0.92rem;
    margin: 0.5rem 0 0;
  }
  .hint {
    color: var(--muted);
    font-size: 0.88rem;
    margin: 0.35rem 0 0;
  }
`;
