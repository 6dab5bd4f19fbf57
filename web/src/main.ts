// Entry point: global styles, the chosen theme and language (before the first render, so no flash of the
// wrong colours or of English), then the root element. Everything else hangs off <sealed-app>.
import "./styles/global.css";
import { applyTheme, readTheme } from "./ui/theme.js";
import { startLanguage } from "./ui/i18n/locale.js";
import "./ui/sealed-app.js";

applyTheme(readTheme());
// <sealed-app> is added only once the language module (if any) has loaded: an element in the HTML would
// render in English first. Not a top-level await: the language module imports lit from this very chunk,
// which could then never finish evaluating (a deadlock).
void startLanguage().then(() => document.body.prepend(document.createElement("sealed-app")));
