// Scenario deliveries built from GitHub's own example payloads (@octokit/webhooks-examples), edited
// only in the fields a scenario needs: numbers, ids, timestamps, actions, states, labels. All on one
// repository (the pull_request example's), starting at T0.
import { githubExamples } from "./forge.mjs";

export const T0 = Date.parse("2026-09-21T14:00:00Z") / 1000;
export const HOUR = 3600;
export const iso = (s) => new Date(s * 1000).toISOString().replace(".000Z", "Z");

const examples = githubExamples();
export const example = (event, action) =>
  structuredClone(examples.find((e) => e.event === event && (!action || e.payload.action === action)).payload);
export const REPO = example("pull_request", "opened").repository;
export const onRepo = (p) => ({ ...p, repository: REPO });

export function pullRequest(action, updated, { number = 7, merged = false } = {}) {
  const p = onRepo(example("pull_request", "opened"));
  Object.assign(p, { action, number });
  Object.assign(p.pull_request, {
    number, title: "Add the sprint board", created_at: iso(T0), updated_at: iso(updated), html_url: `${REPO.html_url}/pull/${number}`,
    state: merged ? "closed" : "open", merged, merged_at: merged ? iso(updated) : null, closed_at: merged ? iso(updated) : null,
  });
  return p;
}
export function review(submitted) {
  const p = onRepo(example("pull_request_review", "submitted"));
  Object.assign(p.pull_request, { number: 7, created_at: iso(T0), html_url: `${REPO.html_url}/pull/7` });
  Object.assign(p.review, { id: 9001, state: "approved", submitted_at: iso(submitted), user: { ...p.review.user, login: "octo-reviewer" },
    html_url: `${REPO.html_url}/pull/7#pullrequestreview-9001` });
  return p;
}
export function issue(action, updated, state, labels, reason = null) {
  const p = onRepo(example("issues", "opened"));
  p.action = action;
  Object.assign(p.issue, {
    number: 42, title: "Sprint board", created_at: iso(T0), updated_at: iso(updated), state, state_reason: reason,
    html_url: `${REPO.html_url}/issues/42`,
    closed_at: state === "closed" ? iso(updated) : null, labels: labels.map((name) => ({ name, color: "ededed" })),
  });
  return p;
}
export function workflowRun(id, conclusion, started) {
  const p = onRepo(example("workflow_run", "completed"));
  p.workflow = { ...p.workflow, name: "CI" };
  Object.assign(p.workflow_run, { id, name: "CI", head_branch: "main", status: "completed", conclusion, run_attempt: 1,
    run_started_at: iso(started), updated_at: iso(started + 600), html_url: `${REPO.html_url}/actions/runs/${id}`,
    repository: REPO, head_repository: REPO });
  return p;
}
export function comment(id, issueNumber = 77) {
  const p = onRepo(example("issue_comment", "created"));
  p.issue = { ...p.issue, number: issueNumber, html_url: `${REPO.html_url}/issues/${issueNumber}` };
  p.comment = { ...p.comment, id, created_at: iso(T0), updated_at: iso(T0) };
  return p;
}
