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
  /* Its own block with dir="auto": a right-to-left message's lines start at the right, in a left-to-right app. */
  .bubble > [dir="auto"] {
    display: block;
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
  /* @mentions: a tinted name; one of this account stands out (outlined, bolder), as Signal and Slack do. */
  .mention {
    font-weight: 600;
    color: var(--accent);
    border-radius: 6px;
    padding: 0 0.15em;
  }
  .mine .mention {
    color: inherit;
    /* Darker, not lighter, under the white text of one's own bubble: 4.5:1 in both themes. */
    background: rgb(0 0 0 / 0.22);
  }
  .mention.me {
    font-weight: 700;
    color: var(--accent);
    background: var(--accent-soft);
    box-shadow: inset 0 0 0 1px var(--accent);
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
  /* The bubble and its toolbar side by side; own messages keep the toolbar on their left. */
  .line {
    display: flex;
    align-items: center;
    gap: 0.25rem;
    max-width: 100%;
  }
  .mine .line {
    flex-direction: row-reverse;
  }
  .actions {
    display: flex;
    flex: none;
    opacity: 0;
    transition: opacity 100ms ease;
  }
  li.msg:hover .actions,
  li.msg:focus-within .actions,
  li.msg.selected .actions {
    opacity: 1;
  }
  .tool {
    min-height: 0;
    width: 2rem;
    height: 2rem;
    padding: 0;
    color: var(--muted);
    background: transparent;
  }
  .tool:hover {
    background: var(--surface-2);
    color: var(--text);
  }
  @media (hover: none) {
    /* No hover on touch screens: the tapped bubble shows its toolbar; the others keep only "More actions". */
    li.msg:not(.selected) .actions .tool:not([data-testid="more-actions"]) {
      display: none;
    }
    .actions {
      opacity: 1;
    }
  }
  .quote {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 0.05rem;
    width: 100%;
    min-height: 0;
    margin: 0 0 0.35rem;
    padding: 0.3rem 0.6rem;
    border-radius: 10px;
    border: none;
    border-left: 3px solid var(--accent);
    background: rgb(0 0 0 / 7%);
    color: inherit;
    font-weight: 400;
    font-size: 0.85rem;
    text-align: left;
    white-space: normal;
  }
  button.quote:hover {
    background: rgb(0 0 0 / 12%);
  }
  .quote-who {
    font-weight: 700;
    font-size: 0.78rem;
  }
  .quote-text {
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
    opacity: 0.85;
  }
  .quote.deleted .quote-text,
  .quote.unavailable {
    font-style: italic;
    opacity: 0.8;
  }
  .reactions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    margin: -0.3rem 0.5rem 0;
    position: relative;
  }
  .chip {
    min-height: 0;
    padding: 0.1rem 0.5rem;
    gap: 0.25rem;
    font-size: 0.85rem;
    background: var(--surface);
    color: var(--text);
    border-color: var(--border);
    box-shadow: 0 1px 2px rgb(0 0 0 / 8%);
  }
  .chip.mine {
    background: var(--accent-soft);
    border-color: var(--accent);
  }
  .chip .count {
    font-size: 0.75rem;
    font-weight: 600;
  }
  .edited {
    font-style: italic;
  }
  /* Deleted for everyone: a note in the bubble, not the sender's words. */
  .tombstone {
    font-style: italic;
    /* Softened, but 4.5:1 on one's own dark-theme bubble (0.75 measured 3.68 with axe). */
    opacity: 0.9;
  }
  li.flash .bubble {
    animation: flash 1.6s ease;
  }
  @keyframes flash {
    0%,
    40% {
      box-shadow: 0 0 0 3px var(--focus);
    }
    100% {
      box-shadow: 0 0 0 3px transparent;
    }
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
