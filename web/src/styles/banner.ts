import { css } from "lit";

/**
 * A banner above a chat's history (identity warning, refused membership change, left group): an icon
 * beside a bold line and a paragraph. `.danger` for warnings, `.info` for plain news.
 */
export const bannerStyles = css`
  :host {
    display: block;
  }
  div {
    display: flex;
    gap: 0.75rem;
    align-items: flex-start;
    margin: 0.75rem 1rem 0;
    padding: 0.85rem 1rem;
    border-radius: var(--radius);
  }
  .danger {
    background: var(--danger-bg);
    border: 1px solid var(--danger-border);
    color: var(--danger);
  }
  .info {
    background: var(--surface);
    border: 1px solid var(--border);
    color: var(--muted);
  }
  strong {
    display: block;
    margin-bottom: 0.2rem;
  }
  p {
    margin: 0;
    color: var(--text);
    font-size: 0.92rem;
  }
  .icon {
    font-size: 1.2rem;
    line-height: 1;
    padding-top: 0.1rem;
  }
`;
