// Entry point: global styles, the chosen theme (before the first render, so no flash), and the root
// element. Everything else hangs off <sealed-app>.
import "./styles/global.css";
import { applyTheme, readTheme } from "./ui/theme.js";
import "./ui/sealed-app.js";

applyTheme(readTheme());
