import { css } from "lit";

/** The member panel's layout: rows with role badges and actions, the add and rename forms, the history switch. */
export const groupMembersStyles = css`
  dialog {
    width: min(94vw, 30rem);
  }
  .top {
    display: flex;
    align-items: flex-start;
    justify-content: space-between;
    gap: 0.5rem;
  }
  .top p {
    margin: 0;
    color: var(--muted);
    font-size: 0.9rem;
  }
  .close {
    width: 2.5rem;
    padding: 0;
    flex: none;
    color: var(--text);
  }
  section {
    margin-top: 1rem;
  }
  label.field {
    display: block;
    font-weight: 600;
    margin-bottom: 0.4rem;
  }
  form {
    display: flex;
    gap: 0.5rem;
  }
  form input {
    flex: 1;
    min-width: 0;
  }
  .toggle {
    display: flex;
    gap: 0.6rem;
    align-items: flex-start;
    font-weight: 600;
  }
  .toggle input {
    width: 1.15rem;
    height: 1.15rem;
    margin: 0.15rem 0 0;
    flex: none;
    accent-color: var(--accent);
  }
  .toggle .hint {
    display: block;
    font-weight: 400;
  }
  h3 {
    margin: 0 0 0.4rem;
    font-size: 1rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.4rem;
  }
  li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4rem 0.6rem;
    padding: 0.55rem 0.7rem;
    border: 1px solid var(--border);
    border-radius: var(--radius-sm);
  }
  .who {
    flex: 1;
    min-width: 8rem;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .badge {
    display: inline-block;
    margin-left: 0.35rem;
    padding: 0.05rem 0.5rem;
    border-radius: 999px;
    font-size: 0.75rem;
    font-weight: 600;
    background: var(--accent-soft);
    color: var(--accent);
  }
  .badge.warn {
    background: var(--danger-bg);
    color: var(--danger);
  }
  li button {
    min-height: 2.1rem;
    padding: 0.25rem 0.75rem;
    font-size: 0.85rem;
  }
  .danger {
    background: var(--surface);
    color: var(--danger);
    border-color: var(--danger-border);
  }
  .danger:hover:not(:disabled) {
    background: var(--danger-bg);
  }
  .done {
    color: var(--ok-text);
    font-size: 0.92rem;
    margin: 0.5rem 0 0;
  }
  .leave {
    margin-top: 1.25rem;
    display: flex;
    justify-content: flex-end;
  }
`;
