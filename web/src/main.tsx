// Entry point: mounts the app.
import { render } from "preact";
import { App } from "./ui/App";
import { preloadOfflinePaths } from "./ui/preload";
import "./ui/styles.css";

render(<App />, document.getElementById("app")!);
preloadOfflinePaths();
