// Reading the change feed (GET /api/v1/changes) whole, for tests that check what it recorded.
import assert from "node:assert/strict";

export async function changesPage(fh, query) {
  const res = await fh.api(`/api/v1/changes?${new URLSearchParams(query)}`);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

// Every change after `after`, following next_after until a page comes back empty.
export async function everyChange(fh, query = {}, limit = 1000) {
  const out = [];
  let afterSeq = 0;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await changesPage(fh, { ...query, after: String(afterSeq), limit: String(limit) });
    assert.equal(page.reset, false);
    out.push(...page.changes);
    assert.ok(page.next_after >= afterSeq, `next_after went back: ${page.next_after} < ${afterSeq}`);
    if (page.changes.length === 0) return out;
    afterSeq = page.next_after;
  }
  throw new Error("more than 1000 pages");
}

export function assertConsecutive(changes, first = 1) {
  const wrong = changes.map((c, i) => [c.seq, first + i]).filter(([seq, want]) => seq !== want);
  assert.deepEqual(wrong.slice(0, 5), [], "seqs are not consecutive");
}
