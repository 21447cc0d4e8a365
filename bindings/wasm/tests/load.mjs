// Loads the built package (pkg/, --target web) in Node, the way a browser would get it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ews from "../pkg/ews_notify.js";

const wasm = readFileSync(fileURLToPath(new URL("../pkg/ews_notify_bg.wasm", import.meta.url)));
ews.initSync({ module: wasm });

export default ews;
