// Starts the real forgehook binary for an integration test: port 0, a fresh temp data dir, a
// minimal environment (nothing inherited from the caller's FORGEHOOK_* variables), and stdout/stderr
// captured so a test can assert that no secret ever reaches them.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { startPostgres } from "./postgres.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = process.env.FORGEHOOK_BIN ?? path.join(ROOT, "build", "forgehook");

const live = new Set(); // child processes still running, killed if the test process exits early
process.on("exit", () => {
  for (const proc of live) {
    try {
      proc.kill("SIGKILL");
    } catch {}
  }
});

// Polls fn until it returns a truthy value (returned) or the deadline passes (throws with message).
export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 20, message = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      if (err.fatal) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof message === "function" ? message() : message}` + (lastError ? `: ${lastError.message}` : ""));
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// Runs the forgehook CLI with only PATH and `env` in its environment, in `cwd` (default: this
// process's); resolves {code, stdout, stderr} (never rejects on a non-zero exit).
export function runCli(args, { env = {}, timeoutMs = 20_000, cwd } = {}) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { PATH: process.env.PATH, LANG: "C.UTF-8", ...env }, cwd, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? err.signal) : 0, stdout, stderr }));
  });
}

export async function makeTempDir(prefix = "forgehook-it-") {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function removeDir(dir) {
  if (!process.env.FORGEHOOK_IT_KEEP) await rm(dir, { recursive: true, force: true });
}

// Environment keys whose values are secrets that must never appear in the server's output.
const SECRET_KEY = /(SECRET|TOKEN|SIGNING_KEY)$/;

function secretValuesOf(env) {
  const out = [];
  for (const [k, v] of Object.entries(env)) {
    if (!SECRET_KEY.test(k) || v == null) continue;
    for (const part of String(v).split(",")) {
      const s = part.trim();
      if (!s) continue;
      out.push(s);
      if (s.startsWith("whsec_") && s.length > 12) out.push(s.slice("whsec_".length));
    }
  }
  return out;
}

// FORGEHOOK_IT_BACKEND=postgres runs every server of this test process on PostgreSQL: one
// throwaway cluster (lib/postgres.mjs), started at the first server and stopped when the process
// exits, and a fresh database per data dir (a restart with the same data dir finds its database
// again). So the same tests run against both backends (`make integration-test` runs them twice).
export const BACKEND = process.env.FORGEHOOK_IT_BACKEND ?? "sqlite";
let cluster = null;
const databaseOf = new Map(); // data dir -> database name

// The variables that put a server with `dataDir` on this process's PostgreSQL database for it.
export async function postgresEnvFor(dataDir) {
  if (!cluster) {
    cluster = await startPostgres();
    const started = cluster;
    process.on("exit", () => started.stopSync());
  }
  let db = databaseOf.get(dataDir);
  if (!db) {
    db = await cluster.createDatabase("it");
    databaseOf.set(dataDir, db);
  }
  return {
    FORGEHOOK_STORE_BACKEND: "postgres",
    FORGEHOOK_STORE_POSTGRES_URL: cluster.url(db),
    FORGEHOOK_STORE_POSTGRES_PASSWORD: cluster.password,
  };
}

// start(env, opts) → server handle.
//   env: FORGEHOOK_* variables (undefined values are dropped).
//   opts.dataDir: reuse a data dir (restart); otherwise a fresh mkdtemp dir is made.
//   opts.config: path to a TOML file; opts.args: extra serve arguments; opts.timeoutMs: start deadline.
export async function start(env = {}, opts = {}) {
  if (!existsSync(BIN)) throw new Error(`forgehook binary not found at ${BIN} (build it first)`);
  const ownsDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? (await makeTempDir());
  const addrFile = path.join(dataDir, "forgehook.addr");
  await unlink(addrFile).catch(() => {}); // a restart must not read the previous run's address

  const childEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", TZ: "UTC" };
  // A test that chooses its store itself (FORGEHOOK_STORE_BACKEND) keeps it.
  const storeEnv = BACKEND === "postgres" && env.FORGEHOOK_STORE_BACKEND === undefined ? await postgresEnvFor(dataDir) : {};
  for (const [k, v] of Object.entries({ ...storeEnv, ...env })) if (v !== undefined) childEnv[k] = String(v);
  const args = ["serve", "--listen", opts.listen ?? "127.0.0.1:0", "--data-dir", dataDir];
  if (opts.config) args.push("--config", opts.config);
  if (opts.args) args.push(...opts.args);

  const proc = spawn(BIN, args, { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  const out = { stdout: [], stderr: [] };
  proc.stdout.on("data", (b) => out.stdout.push(b));
  proc.stderr.on("data", (b) => out.stderr.push(b));
  if (process.env.FORGEHOOK_IT_TEE) proc.stderr.on("data", (b) => process.stderr.write(b));
  let exit = null;
  let resolveExited;
  const exited = new Promise((resolve) => (resolveExited = resolve));
  let stopping = false; // set by stop()/kill9(): any other exit is a crash, reported at once
  proc.on("exit", (code, signal) => {
    if (exit) return;
    exit = { code, signal };
    if (!stopping) {
      const lines = Buffer.concat(out.stderr).toString("utf8").split("\n");
      const notable = lines.filter((l) => l && !/"msg":"(delivery|request)"/.test(l));
      process.stderr.write(
        `\n[forgehook ${dataDir}] exited unexpectedly (code ${code}, signal ${signal}); stderr other than request logs:\n` +
          notable.slice(-30).join("\n") + "\n",
      );
    }
    live.delete(proc);
    resolveExited(exit);
  });
  // A failed spawn (e.g. ENOENT) emits "error" and never "exit": count it as the exit.
  proc.on("error", (error) => {
    if (exit) return;
    exit = { code: null, signal: null, error: error.message };
    live.delete(proc);
    resolveExited(exit);
  });

  const stdout = () => Buffer.concat(out.stdout).toString("utf8");
  const stderr = () => Buffer.concat(out.stderr).toString("utf8");

  let addr;
  try {
    addr = await waitFor(
      async () => {
        if (exit) throw Object.assign(new Error(`forgehook exited early (${JSON.stringify(exit)})`), { fatal: true });
        const text = await readFile(addrFile, "utf8").catch(() => "");
        return /^127\.0\.0\.1:\d+\n?$/.test(text) && text.endsWith("\n") ? text.trim() : null;
      },
      { timeoutMs: opts.timeoutMs ?? 15_000, message: `${addrFile}` },
    );
  } catch (err) {
    stopping = true;
    proc.kill("SIGKILL");
    await exited;
    if (ownsDir) await removeDir(dataDir);
    throw new Error(`${err.message}\nstderr:\n${stderr().slice(-4000)}`);
  }
  const port = Number(addr.split(":")[1]);

  const secrets = new Set(secretValuesOf(env));
  // The database password is a secret too: never in the output.
  if (storeEnv.FORGEHOOK_STORE_POSTGRES_PASSWORD) secrets.add(storeEnv.FORGEHOOK_STORE_POSTGRES_PASSWORD);
  const signatures = new Set(); // signatures/tokens the test clients sent (filled by lib/forge.mjs)

  const handle = {
    url: `http://127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    dataDir,
    proc,
    env,
    secrets,
    signatures,
    exited,
    get exit() {
      return exit;
    },
    // True while the process runs.
    get alive() {
      return exit === null;
    },
    // True once stop()/kill9() was called.
    get stopRequested() {
      return stopping;
    },
    stdout,
    stderr,
    output: () => stdout() + "\n" + stderr(),
    // SIGTERM and wait for a graceful exit. Throws if the process had already died (a crash), if it
    // does not exit within the deadline, or if it exits other than with status 0.
    async stop({ timeoutMs = 15_000 } = {}) {
      if (exit && !stopping) throw new Error(`forgehook had already exited before stop(): ${JSON.stringify(exit)}`);
      if (exit) return exit;
      stopping = true;
      proc.kill("SIGTERM");
      let timer;
      const timeout = new Promise((r) => (timer = setTimeout(r, timeoutMs, "timeout")));
      const result = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (result === "timeout") {
        proc.kill("SIGKILL");
        await exited;
        throw new Error(`forgehook did not exit within ${timeoutMs} ms of SIGTERM`);
      }
      if (result.code !== 0) throw new Error(`forgehook exited with ${JSON.stringify(result)} after SIGTERM`);
      return result;
    },
    async kill9() {
      if (exit) return exit;
      stopping = true;
      proc.kill("SIGKILL");
      return exited;
    },
    // Throws if any configured secret/token, any extra string, or any signature a test client
    // sent appears in stdout/stderr. opts.stdoutAllowed: strings allowed on stdout only.
    assertNoSecretsLogged(extra = [], { stdoutAllowed = [] } = {}) {
      const all = [...secrets, ...extra].filter((s) => s && s.length >= 6);
      const so = stdout();
      const se = stderr();
      for (const s of all) {
        if (se.includes(s)) throw new Error(`a secret (${s.slice(0, 3)}…, ${s.length} chars) appears in stderr`);
        if (so.includes(s) && !stdoutAllowed.includes(s)) {
          throw new Error(`a secret (${s.slice(0, 3)}…, ${s.length} chars) appears in stdout`);
        }
      }
      // Signatures are many: look up every hex/base64 run of the right shape instead of scanning per value.
      const text = so + "\n" + se;
      for (const m of text.matchAll(/[0-9a-fA-F]{40,}|[A-Za-z0-9+/]{43}=/g)) {
        const v = m[0].toLowerCase();
        if (signatures.has(v) || signatures.has(m[0])) {
          throw new Error(`a request signature (${m[0].slice(0, 6)}…) appears in the server output`);
        }
      }
    },
    // Kills the process; removes the data dir if this handle created it (a restart on a given dir
    // leaves it to the test, which calls removeDir).
    async cleanup() {
      await handle.kill9();
      if (ownsDir) await removeDir(dataDir);
    },
  };
  return handle;
}
