// The built package as users get it: `npm pack` of pkg/, installed into a scratch project, then
// imported by name from Node, where init() must need no fetch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));

test("the packed package imports by name in Node and init() needs no fetch", () => {
  const scratch = mkdtempSync(join(tmpdir(), "ews-notify-wasm-"));
  const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: pkg, encoding: "utf8" }))[0];
  const files = packed.files.map((f) => f.path).sort();
  for (const need of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "node.js", "ews_notify.js", "ews_notify_bg.wasm", "ews_notify.d.ts", "package.json"]) {
    assert.ok(files.includes(need), `${need} missing from the package: ${files}`);
  }
  const project = join(scratch, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(scratch, packed.filename)], { cwd: project, stdio: "pipe" });
  const script = `
    globalThis.fetch = () => { throw new Error("fetch must not be called"); };
    const { default: init, parseNotification, GlobalObjectId } = await import("ews-notify-wasm");
    await init();
    const goid = GlobalObjectId.decode("BAAAAIIA4AB0xbcQGoLgCAAAAABqFxwHnpTOAQAAAAAAAAAAEAAAAErmMOMEWQpJoohCYDFvDhU=");
    const { readFileSync } = await import("node:fs");
    const env = parseNotification(readFileSync(process.argv[2]));
    console.log(JSON.stringify({ exception: goid.isException, kind: env.kind }));
  `;
  writeFileSync(join(project, "main.mjs"), script);
  const sample = fileURLToPath(new URL("../../../tests/corpus/push/created_event_wrapped_tags.xml", import.meta.url));
  const out = execFileSync("node", ["main.mjs", sample], { cwd: project, encoding: "utf8" });
  const result = JSON.parse(out.trim());
  assert.equal(result.exception, false);
  assert.equal(result.kind, "sendNotification");
  console.log(`npm pack ews-notify-wasm: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.length} files`);
});
