import { css, html, type TemplateResult } from "lit";
import { groupIcon } from "./icons.js";

/**
 * A chat's round picture: the first letter of a person's name, or the group icon. Decorative (the name
 * is always next to it), so hidden from screen readers. Size with `--avatar-size` on `.avatar`.
 */
export function chatAvatar(c: { readonly kind: "direct" | "group"; readonly title: string }): TemplateResult {
  return c.kind === "group"
    ? html`<span class="avatar group" aria-hidden="true">${groupIcon}</span>`
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
  .avatar.group {
    background: var(--accent-soft);
    color: var(--accent);
  }
`;
