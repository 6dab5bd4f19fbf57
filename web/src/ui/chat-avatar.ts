import { css, html, type TemplateResult } from "lit";
import { groupIcon } from "./icons.js";

/**
 * A chat's round picture: the person's profile picture (issue 21), else the first letter of their name,
 * or the group icon. Decorative (the name is always next to it), so hidden from screen readers. Size with
 * `--avatar-size` on `.avatar`.
 */
export function chatAvatar(c: { readonly kind: "direct" | "group"; readonly title: string; readonly peer?: { readonly avatarUrl?: string } }): TemplateResult {
  if (c.kind === "group") return html`<span class="avatar group" aria-hidden="true">${groupIcon}</span>`;
  const url = c.peer?.avatarUrl;
  return url
    ? html`<span class="avatar photo" aria-hidden="true"><img src=${url} alt="" data-testid="chat-avatar-image" /></span>`
    : html`<span class="avatar" aria-hidden="true">${c.title.slice(0, 1)}</span>`;
}

export const avatarStyles = css`
  .avatar {
    width: var(--avatar-size, 2.4rem);
    height: var(--avatar-size, 2.4rem);
    flex: none;
    border-radius: 50%;
    display: grid;
    place-items: center;
    font-weight: 700;
    background: var(--accent);
    color: var(--on-accent);
    text-transform: uppercase;
  }
  .avatar.photo {
    background: var(--accent-soft);
    overflow: hidden;
  }
  .avatar.photo img {
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .avatar.group {
    background: var(--accent-soft);
    color: var(--accent);
  }
`;
