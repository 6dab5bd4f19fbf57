import { LitElement, css, html } from "lit";
import { customElement, state } from "lit/decorators.js";
import { shared } from "../styles/shared.js";
import { switchSection } from "../styles/switch-section.js";
import { readTheme, setTheme, type Theme } from "./theme.js";

const LABELS: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };

/** Settings › Appearance: the colour theme, on this device (ui/theme.ts). */
@customElement("sealed-appearance-settings")
export class SealedAppearanceSettings extends LitElement {
  static override styles = [
    shared,
    switchSection,
    css`
      fieldset {
        border: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      legend {
        padding: 0;
        margin-bottom: 0.5rem;
        color: var(--muted);
      }
      label {
        display: inline-flex;
        flex: none;
        align-items: center;
        gap: 0.4rem;
        padding: 0.45rem 0.8rem;
        border: 1px solid var(--border);
        border-radius: 999px;
        cursor: pointer;
      }
      input {
        margin: 0;
      }
      label:has(input:checked) {
        border-color: var(--accent);
        background: var(--accent-soft);
        font-weight: 600;
      }
    `,
  ];

  @state() private theme: Theme = readTheme();

  private pick(theme: Theme): void {
    this.theme = theme;
    setTheme(theme);
  }

  override render() {
    return html`<section aria-labelledby="appearance-title" data-testid="appearance-settings">
      <h2 id="appearance-title">Appearance</h2>
      <fieldset>
        <legend>Theme</legend>
        ${(Object.keys(LABELS) as Theme[]).map(
          (t) => html`<label>
            <input type="radio" name="theme" value=${t} .checked=${this.theme === t} @change=${() => this.pick(t)} data-testid="theme-${t}" />
            ${LABELS[t]}
          </label>`,
        )}
      </fieldset>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-appearance-settings": SealedAppearanceSettings;
  }
}
