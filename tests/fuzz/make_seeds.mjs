#!/usr/bin/env node
// Writes the fuzz targets' seed corpora, tests/fuzz/corpus/<target>/, from real payloads: GitHub's
// (@octokit/webhooks-examples, one example per mapped event and action), the GitLab fixtures of
// tests/fixtures/gitlab/ with GitLab-shaped payloads built on them for every object_kind the mapper
// dispatches on, and Gitea's GitHub-shaped payloads. Which events are mapped is read from the mappers'
// own dispatch tables, so the seeds follow them. Deterministic: running it again changes nothing.
// Usage: node tests/fuzz/make_seeds.mjs   (from anywhere; replaces the corpus directories)
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const read = (p) => fs.readFileSync(path.join(root, p), "utf8");

const examples = JSON.parse(read("node_modules/@octokit/webhooks-examples/api.github.com/index.json"));
const gitlabMr = JSON.parse(read("tests/fixtures/gitlab/merge_request.json"));
const gitlabPipeline = JSON.parse(read("tests/fixtures/gitlab/pipeline.json"));

// {"event", mapper, giteaSends} rows of model/github_mapper.cc's kEventMappers, {"kind", mapper} of
// model/gitlab_mapper.cc's kKindMappers.
function tableRows(file, table) {
  const src = read(file);
  const start = src.indexOf(`${table}[] = {`);
  const body = src.slice(start, src.indexOf("\n};", start));
  return [...body.matchAll(/^\s*\{"(\w+)",.*?(true|false)?\},?$/gm)].map((m) => ({ name: m[1], flag: m[2] === "true" }));
}
const githubMapped = tableRows("src/model/github_mapper.cc", "kEventMappers");
const gitlabKinds = tableRows("src/model/gitlab_mapper.cc", "kKindMappers").map((r) => r.name);
if (githubMapped.length < 10 || gitlabKinds.length < 5) throw new Error("mapper tables not found");

const compact = (v) => JSON.stringify(v);
const form = (json) => "payload=" + encodeURIComponent(json);
// The smallest example of each action of an event (examples are sorted by size so seeds stay small).
function examplesByAction(event) {
  const e = examples.find((x) => x.name === event);
  if (!e) return [];
  const byAction = new Map();
  for (const ex of [...e.examples].sort((a, b) => compact(a).length - compact(b).length))
    if (!byAction.has(ex.action ?? "")) byAction.set(ex.action ?? "", ex);
  return [...byAction.entries()];
}
const smallest = (event) => examplesByAction(event).map(([, ex]) => ex).sort((a, b) => compact(a).length - compact(b).length)[0];

// GitLab payloads for each object_kind, on the fixtures' project and user (shapes from GitLab's
// webhook events documentation).
const { project, user, repository } = gitlabMr;
const mrRef = { id: 99, iid: 1, title: "MS-Viewport", state: "opened", source_branch: "ms-viewport", target_branch: "master" };
const issueAttrs = { id: 301, iid: 23, title: "New API: create/update/delete file", description: "Create new API", state: "opened", action: "open",
  created_at: "2013-12-03T17:15:43Z", updated_at: "2013-12-03T17:15:43Z", closed_at: null, url: "http://example.com/gitlabhq/gitlab-test/issues/23",
  labels: [{ id: 206, title: "API" }], assignee_ids: [51] };
const gitlabPayloads = {
  merge_request: gitlabMr,
  pipeline: gitlabPipeline,
  issue: { object_kind: "issue", event_type: "issue", user, project, repository, object_attributes: issueAttrs, assignees: [{ username: "user1" }], labels: [{ id: 206, title: "API" }] },
  work_item: { object_kind: "work_item", event_type: "work_item", user, project, object_attributes: { ...issueAttrs, type: "Task" } },
  note: { object_kind: "note", event_type: "note", user, project_id: project.id, project, repository,
    object_attributes: { id: 1244, note: "This MR needs work.", noteable_type: "MergeRequest", created_at: "2015-05-17 18:21:36 UTC", updated_at: "2015-05-17 18:21:36 UTC", url: "http://example.com/gitlabhq/gitlab-test/merge_requests/1#note_1244" },
    merge_request: mrRef },
  push: { object_kind: "push", event_name: "push", before: "95790bf891e76fee5e1747ab589903a6a1f80f22", after: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
    ref: "refs/heads/master", user_id: 4, user_name: "John Smith", user_username: "jsmith", project_id: project.id, project, repository,
    commits: [{ id: "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327", message: "Update Catalan translation to e38cb41.", timestamp: "2011-12-12T14:27:31+02:00", author: { name: "Jordi Mallach", email: "jordi@softcatala.org" } }],
    total_commits_count: 1 },
  tag_push: { object_kind: "tag_push", event_name: "tag_push", before: "0000000000000000000000000000000000000000", after: "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
    ref: "refs/tags/v1.0.0", user_username: "jsmith", project_id: project.id, project, repository, commits: [], total_commits_count: 0 },
  release: { object_kind: "release", id: 1, tag: "v1.1", name: "v1.1", action: "create", created_at: "2020-11-02 12:55:12 UTC", released_at: "2020-11-02 12:55:12 UTC",
    url: "https://example.com/gitlab-org/release-webhook-example/-/releases/v1.1", project, commit: { id: "ee0f691e" } },
};
for (const kind of gitlabKinds) if (!gitlabPayloads[kind]) throw new Error(`no GitLab seed for object_kind ${kind}`);

const corpora = {};
const add = (target, text) => {
  const name = crypto.createHash("sha1").update(text).digest("hex").slice(0, 16);
  (corpora[target] ??= new Map()).set(name, text);
};

// normalize: "FORGE EVENT [form]" then the body.
for (const { name: event } of githubMapped)
  for (const [, ex] of examplesByAction(event)) add("normalize", `github ${event}\n${compact(ex)}`);
for (const event of ["ping", "star", "label"]) add("normalize", `github ${event}\n${compact(smallest(event))}`);
for (const { name: event, flag: giteaSends } of githubMapped)
  if (giteaSends) add("normalize", `gitea ${event}\n${compact(smallest(event))}`);
for (const kind of gitlabKinds) add("normalize", `gitlab ${kind}\n${compact(gitlabPayloads[kind])}`);
add("normalize", `github push form\n${form(compact(smallest("push")))}`);
add("normalize", `gitea push form\n${form(compact(smallest("push")))}`);

// webhook_request: options line, header lines, empty line, body (see webhook_request_fuzz.cc).
const request = (options, headers, body) =>
  `${options}\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${body}`;
const githubHeaders = (event, extra = {}) => ({ "Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "X-GitHub-Hook-ID": "42", ...extra });
for (const event of ["ping", "push", "pull_request", "issues", "issue_comment", "release", "workflow_run"])
  add("webhook_request", request("github sign", githubHeaders(event), compact(smallest(event))));
const ping = compact(smallest("ping"));
add("webhook_request", request("github sign repo-secrets", githubHeaders("ping"), ping));
add("webhook_request", request("github sign", githubHeaders("ping", { "Content-Type": "application/x-www-form-urlencoded" }), form(ping)));
add("webhook_request", request("github", githubHeaders("ping", { "X-Hub-Signature-256": "sha256=" + "0".repeat(64) }), ping));
add("webhook_request", request("github sha1", githubHeaders("ping", { "X-Hub-Signature": "sha1=" + "0".repeat(40) }), ping));
add("webhook_request", request("github unsigned", githubHeaders("ping"), ping));
add("webhook_request", request("github sign", githubHeaders("ping", { "X-GitHub-Hook-Installation-Target-Type": "integration", "X-GitHub-Hook-Installation-Target-ID": "7" }), ping));
const gitlabHeaders = (event) => ({ "Content-Type": "application/json", "X-Gitlab-Event": event, "X-Gitlab-Event-UUID": "13792a34-cac6-4fda-95a8-c58e00a3954e", "X-Gitlab-Webhook-UUID": "42", "Idempotency-Key": "f9a8c5d1-5f5e-4c0e-9b3a-1c2d3e4f5a6b" });
add("webhook_request", request("gitlab sign", gitlabHeaders("Merge Request Hook"), compact(gitlabMr)));
add("webhook_request", request("gitlab sign signing-key repo-secrets", gitlabHeaders("Pipeline Hook"), compact(gitlabPipeline)));
add("webhook_request", request("gitlab", { ...gitlabHeaders("Push Hook"), "X-Gitlab-Token": "wrong" }, compact(gitlabPayloads.push)));
const giteaPush = compact({ ...smallest("push"), repository: { id: 7, name: "repo", full_name: "gitea-org/repo", owner: { login: "gitea-org" } } });
const giteaHeaders = (event, type = "application/json") => ({ "Content-Type": type, "X-Gitea-Event": event, "X-Gitea-Delivery": "5f0b7a1c-2a3b-4c5d-8e9f-0a1b2c3d4e5f", "X-Gitea-Hook-ID": "42" });
add("webhook_request", request("gitea sign", giteaHeaders("push"), giteaPush));
add("webhook_request", request("gitea sign repo-secrets", giteaHeaders("push", "application/x-www-form-urlencoded"), form(giteaPush)));
add("webhook_request", request("gitea", { ...giteaHeaders("push"), "X-Forgejo-Signature": "ab".repeat(32) }, giteaPush));

// form: form bodies and query strings.
for (const text of [form(ping), `a=1&payload=${encodeURIComponent("{}")}&b`, "payload=", "payload", "payload=%7", "payload=%zz%7B%7D",
  "x=%41+b&payload=%7B%22a%22%3A1%7D", "%70ayload=%7B%7D", "payload=%7B%7D&payload=%5B%5D", "a+b=c%20d"])
  add("form", text);

// query_params: query strings as clients send them.
for (const text of ["", "forge=github&repository=octo-org%2Fhello-world&limit=10", "since=2024-01-01T00:00:00Z&until=1700000000",
  "timeframe=7d", "timeframe=30d&until=2024-02-01T00:00:00.123456%2B01:00", "state=open&actor=octocat", "kind=push,pull_request&limit=500",
  "number=3", "cursor=eyJ0IjoxfQ&limit=1", "owner=me&state=planned", "limit=0", "%zz=1", "forge=github&forge=gitlab", "since=1700000000&until=1600000000"])
  add("query_params", text);

// json_body: bodies of the admin API's writes.
for (const text of ["", "{}", "[]", "null", `{"url":"https://example.com/hook","resources":["pulls"],"actions":["opened"],"secret":"whsec_abc","description":null}`,
  `{"title":"Ship it","description":"","owner":"me","status":"planned","tags":["a","b"],"due_on":"2024-05-01","issue":{"forge":"github","repository":"o/r","number":1}}`,
  `{"token":"fh_abc"}`, `{"url":1}`, `{"unknown":{"nested":[1,2,{"x":"\\u00e9"}]}}`])
  add("json_body", text);

// config: a document with every key (from core/config.cc's table), and a few small ones.
const keys = [...read("src/core/config.cc").matchAll(/FH_(STR|INT|SINT|DBL|BOOL|SECRETS)\("([a-z0-9_.]+)"/g)];
const value = { STR: '"x"', INT: "1", SINT: "-1", DBL: "0.5", BOOL: "true", SECRETS: '["a", "b,c"]' };
const sections = new Map();
for (const [, kind, key] of keys) {
  const dot = key.lastIndexOf(".");
  const [section, name] = dot < 0 ? ["", key] : [key.slice(0, dot), key.slice(dot + 1)];
  if (!sections.has(section)) sections.set(section, []);
  sections.get(section).push(`${name} = ${value[kind]}`);
}
add("config", [...sections].map(([s, lines]) => (s ? `[${s}]\n` : "") + lines.join("\n")).join("\n\n") + "\n");
for (const text of ["", 'listen = "0.0.0.0:8765"\n[server]\nstream_heartbeat_ms = 500\n[pipeline]\nbatch_size = 64\nshare_while_ingesting = 0.5\n', '[github]\nsecret = ["current", "previous"]\nlegacy_sha1 = true\n',
  '[gitlab]\nsigning_key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7yYgE0iMmV4="\ntimestamp_tolerance_s = 300\n',
  "[limits]\nrate_per_second = 2.5\nrate_burst = 1e3\n", "[pipeline]\nbatch_size = 0\n", "[server]\nnested = { a = 1 }\n", "log.level = 'debug'\n"])
  add("config", text);

let files = 0, bytes = 0;
for (const [target, inputs] of Object.entries(corpora)) {
  const dir = path.join(here, "corpus", target);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of inputs) {
    fs.writeFileSync(path.join(dir, name), text);
    files += 1;
    bytes += Buffer.byteLength(text);
  }
  console.log(`${target}: ${inputs.size} seeds`);
}
console.log(`${files} files, ${(bytes / 1024).toFixed(0)} KB`);
