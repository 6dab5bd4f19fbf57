// Entry point: global styles and the root element. Everything else hangs off <sealed-app>.
import "./styles/global.css";
import "./ui/sealed-app.js";
