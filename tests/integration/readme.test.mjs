// The README stays true to the binary: its list of GitHub events to subscribe to is exactly what
// `forgehook events --forge github` prints, and every `forgehook COMMAND` it shows is a command.
// docs/API.md shows `forgehook --help` as the binary prints it.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { ROOT, runCli } from "./lib/server.mjs";

const readme = () => readFile(path.join(ROOT, "README.md"), "utf8");

// The names between <!-- events:FORGE --> and <!-- /events -->, code fences dropped.
function listBetweenMarkers(text, forge) {
  const start = text.indexOf(`<!-- events:${forge} -->`);
  assert.notEqual(start, -1, `README.md has no <!-- events:${forge} --> marker`);
  const end = text.indexOf("<!-- /events -->", start);
  assert.notEqual(end, -1, `README.md does not close <!-- events:${forge} --> with <!-- /events -->`);
  return text
    .slice(start, end)
    .split("\n")
    .slice(1)
    .filter((line) => !line.startsWith("```"))
    .join(" ")
    .split(/[\s,]+/)
    .filter(Boolean);
}

describe("README.md", () => {
  test("the GitHub events to subscribe to are the ones `forgehook events` prints, in its order", async () => {
    const out = await runCli(["events", "--forge", "github", "--json"]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(listBetweenMarkers(await readme(), "github"), JSON.parse(out.stdout));
  });

  test("every `forgehook COMMAND` it shows is a command of the binary", async () => {
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0, help.stderr);
    const commands = new Set([...help.stdout.matchAll(/^  ([a-z][a-z-]*) {2,}/gm)].map((m) => m[1]));
    assert.ok(commands.has("serve") && commands.has("events"), help.stdout);
    // build/forgehook anywhere, or `forgehook ...` in backticks (not the prose "forgehook is ...").
    const shown = [...(await readme()).matchAll(/(?:build\/|`)forgehook ([a-z][a-z-]*)/g)].map((m) => m[1]);
    assert.ok(shown.length > 10, "the README shows commands");
    for (const command of shown) assert.ok(commands.has(command), `README shows \`forgehook ${command}\`, which --help does not list`);
  });
});

test("docs/API.md shows the current `forgehook --help`", async () => {
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0, help.stderr);
  const expected = help.stdout.replace(/^Usage: \S*forgehook /m, "Usage: forgehook ").trimEnd();
  const doc = await readFile(path.join(ROOT, "docs", "API.md"), "utf8");
  const block = doc.slice(doc.indexOf("### CLI")).match(/```\n([\s\S]*?)\n```/)?.[1];
  assert.equal(block, expected, "paste the output of `forgehook --help` into the CLI section of docs/API.md");
});
