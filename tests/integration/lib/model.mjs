// The activity model as a comparable value, for two installations that received the same
// deliveries: the rows of each resource without forgehook's own
// bookkeeping (ids, delivery references, processing times).
export async function model(fh, resources = ["pulls", "issues", "releases", "branches", "activity"]) {
  const out = {};
  for (const resource of resources) {
    const rows = await fh.listAll({}, { resource, pageLimit: 200 });
    out[resource] = rows
      // A ping is the hook's own, not the repository's activity.
      .filter((r) => resource !== "activity" || r.kind !== "ping")
      .map((r) => {
        const copy = { ...r };
        for (const k of ["id", "delivery", "delivery_id", "seq", "updated_seq", "processed_at"]) delete copy[k];
        // create and delete carry no time of their own: their line is dated by its arrival, so a
        // redelivered one shows when it arrived (documented in docs/FORGES.md).
        if (resource === "activity" && (copy.kind === "create" || copy.kind === "delete")) delete copy.at;
        return JSON.stringify(copy, Object.keys(copy).sort());
      })
      .sort();
  }
  return out;
}
