import { css } from "lit";

/** The @mention suggestion list, over the composer's box (mention-controller.ts renders it). */
export const mentionListStyles = css`
  ul.mentions {
    position: absolute;
    left: 0.75rem;
    right: 0.75rem;
    bottom: calc(100% - 0.25rem);
    z-index: 5;
    max-width: 22rem;
    max-height: min(16rem, 40vh);
    overflow-y: auto;
    margin: 0;
    padding: 0.3rem;
    list-style: none;
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: 14px;
    box-shadow: 0 8px 24px rgb(0 0 0 / 0.18);
  }
  ul.mentions li {
    display: flex;
    align-items: center;
    gap: 0.1rem;
    min-height: 2.5rem;
    padding: 0 0.75rem;
    border-radius: 10px;
    cursor: pointer;
  }
  ul.mentions li.active {
    background: var(--accent-soft);
    color: var(--accent);
    font-weight: 600;
  }
  ul.mentions li:hover:not(.active) {
    background: var(--surface-2);
  }
  ul.mentions .at {
    color: var(--muted);
  }
`;
