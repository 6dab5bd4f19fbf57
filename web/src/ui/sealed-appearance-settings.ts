import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import { shared } from "../styles/shared.js";
import { switchSection } from "../styles/switch-section.js";
import { readTheme, setTheme, THEMES, type Theme } from "./theme.js";
import { LANGUAGES, readLanguage, type Language } from "./i18n/language.js";
import { chooseLanguage } from "./i18n/locale.js";

function themeLabel(theme: Theme): string {
  if (theme === "light") return msg("Light");
  if (theme === "dark") return msg("Dark");
  return msg("System");
}

/** Each language is named in itself, so a reader who cannot read the current one still finds theirs. */
function languageLabel(language: Language): string {
  if (language === "en") return "English";
  if (language === "de") return "Deutsch";
  return msg("System default");
}

/** Settings › Appearance: the colour theme and the language, on this device (ui/theme.ts, ui/i18n/). */
@localized()
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
      fieldset.language {
        margin-top: 1rem;
      }
      label:has(input:checked) {
        border-color: var(--accent);
        background: var(--accent-soft);
        font-weight: 600;
      }
    `,
  ];

  @state() private theme: Theme = readTheme();
  @state() private language: Language = readLanguage();

  private pick(theme: Theme): void {
    this.theme = theme;
    setTheme(theme);
  }

  private pickLanguage(language: Language): void {
    this.language = language;
    void chooseLanguage(language);
  }

  override render() {
    return html`<section aria-labelledby="appearance-title" data-testid="appearance-settings">
      <h2 id="appearance-title">${msg("Appearance")}</h2>
      <fieldset>
        <legend>${msg("Theme")}</legend>
        ${THEMES.map(
          (t) => html`<label>
            <input type="radio" name="theme" value=${t} .checked=${this.theme === t} @change=${() => this.pick(t)} data-testid="theme-${t}" />
            ${themeLabel(t)}
          </label>`,
        )}
      </fieldset>
      <fieldset class="language">
        <legend>${msg("Language")}</legend>
        ${LANGUAGES.map(
          (l) => html`<label>
            <input type="radio" name="language" value=${l} .checked=${this.language === l} @change=${() => this.pickLanguage(l)} data-testid="language-${l}" />
            <span lang=${l === "system" ? nothing : l}>${languageLabel(l)}</span>
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
