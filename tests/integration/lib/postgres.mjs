// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, a server on 127.0.0.1 at a free
// port and on a Unix socket in that dir, stopped (and the dir removed) by stop(). TCP logins need
// a password (scram-sha-256), so tests exercise forgehook's password settings; the socket trusts
// local users, for the test's own psql. PostgreSQL refuses to run as root: as root the cluster
// runs as the `postgres` user the Debian package creates.
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function binDir() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) throw new Error("PostgreSQL server not installed (scripts/install-deps.sh test installs postgresql-15)");
  return readdir(root).then((versions) => {
    const newest = versions.filter((v) => existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => b - a)[0];
    if (!newest) throw new Error(`no initdb under ${root}`);
    return path.join(root, newest, "bin");
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres() {
  const bin = await binDir();
  const asRoot = process.getuid() === 0;
  const dir = await mkdtemp(path.join(tmpdir(), "forgehook-pg-"));
  const data = path.join(dir, "data");
  const user = "forgehook_test";
  const password = `pw-${randomBytes(12).toString("hex")}`;
  const pwfile = path.join(dir, "pwfile");
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout), Number(gid));
    await chown(pwfile, Number(stdout), Number(gid));
  }
  const as = (cmd, args) => (asRoot ? run("runuser", ["-u", "postgres", "--", cmd, ...args]) : run(cmd, args));
  await as(path.join(bin, "initdb"), ["-D", data, "-U", user, `--pwfile=${pwfile}`, "--auth-local=trust",
    "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  // fsync stays on: forgehook's durability rests on it, and tests should not run what users do not.
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=100`;
  await as(path.join(bin, "pg_ctl"), ["-D", data, "-l", path.join(dir, "log"), "-o", options, "-w", "-t", "60", "start"]);

  const psql = async (db, sql) => {
    const { stdout } = await run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir, "-p", String(port),
      "-U", user, "-d", db, "-c", sql]);
    return stdout.trim();
  };
  let databases = 0;
  return {
    port,
    user,
    password,
    socketDir: dir,
    // A URL without the password (tests give it apart, as users should), for database `db`.
    url: (db) => `postgresql://${user}@127.0.0.1:${port}/${db}`,
    psql,
    async createDatabase(prefix = "fh") {
      const name = `${prefix}_${++databases}_${randomBytes(3).toString("hex")}`;
      await psql("postgres", `CREATE DATABASE ${name}`);
      return name;
    },
    async stop() {
      await as(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
    // For process.on("exit"), where nothing asynchronous runs: an immediate stop, then the dir removed.
    stopSync() {
      const args = ["-D", data, "-m", "immediate", "-w", "stop"];
      try {
        if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, "pg_ctl"), ...args], { stdio: "ignore" });
        else execFileSync(path.join(bin, "pg_ctl"), args, { stdio: "ignore" });
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
