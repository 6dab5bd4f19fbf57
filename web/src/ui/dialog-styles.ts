import { css } from "lit";

/** The native <dialog> look shared by the app's dialogs (the browser handles focus trapping and Escape). */
export const dialogStyles = css`
  dialog {
    border: none;
    border-radius: 18px;
    padding: 1.5rem;
    width: min(92vw, 26rem);
    background: var(--surface);
    color: var(--text);
    box-shadow: 0 20px 60px rgb(0 0 0 / 25%);
  }
  dialog::backdrop {
    background: rgb(15 17 23 / 45%);
  }
  h2 {
    margin: 0 0 0.5rem;
    font-size: 1.25rem;
  }
  .actions {
    display: flex;
    justify-content: flex-end;
    gap: 0.5rem;
    margin-top: 1.25rem;
  }
`;
