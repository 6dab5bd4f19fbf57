import { css } from "lit";

/** The timeline's look: bubbles in runs, day separators, system lines centred and muted, warnings in amber. */
export const messageListStyles = css`
  :host {
    /* Positioned, so the rows' offsetTop is measured from the top of this scroller, as scrollTop is. */
    position: relative;
    display: block;
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    /* The window's moves keep the reader's place by hand (updated()); the browser's own anchoring would fight it. */
    overflow-anchor: none;
  }
  .earlier {
    display: flex;
    justify-content: center;
    margin: 0.75rem 0 0;
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 1rem 1rem 0.5rem;
    display: flex;
    flex-direction: column;
    gap: 0.2rem;
    max-width: 52rem;
    margin-inline: auto;
  }
  li.msg {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    max-width: min(80%, 36rem);
  }
  li.mine {
    align-self: flex-end;
    align-items: flex-end;
  }
  li.run-start {
    margin-top: 0.6rem;
  }
  .sender {
    font-size: 0.78rem;
    font-weight: 600;
    color: var(--muted);
    margin: 0 0.75rem 0.15rem;
  }
  .bubble {
    padding: 0.5rem 0.85rem;
    border-radius: 18px;
    background: var(--bubble-theirs);
    color: var(--bubble-theirs-text);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .bubble a {
    color: inherit;
    text-decoration: underline;
    text-underline-offset: 2px;
  }
  .mine .bubble {
    background: var(--bubble-mine);
    color: var(--bubble-mine-text);
  }
  .theirs.run-start .bubble {
    border-top-left-radius: 6px;
  }
  .mine.run-start .bubble {
    border-top-right-radius: 6px;
  }
  .meta {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
    font-size: 0.72rem;
    color: var(--muted);
    margin: 0.15rem 0.6rem 0.1rem;
  }
  .meta.failed {
    color: var(--danger);
    font-weight: 600;
  }
  .meta button {
    min-height: 0;
    padding: 0.1rem 0.5rem;
    font-size: 0.72rem;
  }
  .failed-bubble {
    opacity: 0.75;
  }
  /* A message of a kind this version cannot show: a note in the bubble, not the sender's words. */
  .unsupported {
    font-style: italic;
    opacity: 0.8;
  }
  li.day {
    align-self: center;
    margin: 0.9rem 0 0.3rem;
    font-size: 0.78rem;
    font-weight: 600;
    color: var(--muted);
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: 999px;
    padding: 0.15rem 0.75rem;
  }
  li.event {
    align-self: center;
    text-align: center;
    margin: 0.4rem 0;
    font-size: 0.8rem;
    color: var(--muted);
    max-width: 90%;
  }
  li.event.warning {
    color: var(--warn-text);
    background: var(--warn-bg);
    border-radius: 10px;
    padding: 0.3rem 0.75rem;
    font-weight: 600;
  }
  /* "New messages": a band across the chat above the first unread message, as in Signal and WhatsApp. */
  li.unread-divider {
    align-self: stretch;
    text-align: center;
    margin: 0.6rem 0;
    padding: 0.2rem 0;
    font-size: 0.78rem;
    font-weight: 700;
    color: var(--accent);
    background: var(--accent-soft);
    border-radius: 999px;
  }
  li.system {
    align-self: center;
    text-align: center;
    margin: 0.5rem 0;
    font-size: 0.82rem;
    color: var(--warn-text);
    background: var(--warn-bg);
    border-radius: 10px;
    padding: 0.35rem 0.75rem;
    max-width: 90%;
  }
`;
