// Entry point: global styles, the chosen theme and language (before the first render, so no flash of the
// wrong colours or of English), then the root element. Everything else hangs off <sealed-app>.
import "./styles/global.css";
import { applyTheme, readTheme } from "./ui/theme.js";
import { startLanguage } from "./ui/i18n/locale.js";
import "./ui/sealed-app.js";
import { installedAccount } from "./pwa/storage.js";
import { prefetchClient } from "./ui/app-client.js";
import { mainScreen } from "./ui/app-screens.js";

applyTheme(readTheme());
// An account was set up in this browser: its first screen is the chat list, which needs the client and the
// chat screens (loaded on demand, docs/decisions.md "The app shell holds the first screen"). Start fetching
// them now, while the language loads, rather than once <sealed-app> has looked for the account.
if (installedAccount() !== undefined) {
  prefetchClient();
  mainScreen().catch(() => undefined);
}
// <sealed-app> is added only once the language module (if any) has loaded: an element in the HTML would
// render in English first. Not a top-level await: the language module imports lit from this very chunk,
// which could then never finish evaluating (a deadlock).
void startLanguage().then(() => document.body.prepend(document.createElement("sealed-app")));
