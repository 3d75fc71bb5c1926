"""A throwaway PostgreSQL cluster for tests: its own data dir, socket dir and port, never a system cluster.

`PostgresCluster.start()` runs `initdb` into a fresh directory under the system temp dir, listens on
127.0.0.1 only (on a free port) with its unix socket inside that directory, and waits for
`pg_ctl start -w`. PostgreSQL refuses to run as root, so as root every server command runs as the
`postgres` OS user (`runuser -u postgres --`); as any other user it runs as that user. Tests get one
database each (`create_database`), copied from a template when given. `stop()` is
`pg_ctl stop -m fast` and deletes the directory.

The cluster trades durability for speed (fsync, full-page writes and synchronous commit off): it is
thrown away at the end of the run.
"""
from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "postgres"
APP_ROLE = "field_evidence"  # what the server connects as: owns its database, nothing more
INSTALL_HINT = "install it with `make system-deps` (Debian 12: apt-get install postgresql)"


class ClusterError(RuntimeError):
    """The cluster could not be set up; the message says what to do."""


def find_bindir() -> Path:
    """Where initdb and pg_ctl live: `$PG_BINDIR`, else the newest /usr/lib/postgresql/*/bin."""
    if os.environ.get("PG_BINDIR"):
        candidates = [Path(os.environ["PG_BINDIR"])]
    else:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise ClusterError(f"PostgreSQL server binaries (initdb, pg_ctl) not found; {INSTALL_HINT}")


def server_user() -> str | None:
    """The OS user to run the server as: `postgres` when we are root, None (ourselves) otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise ClusterError("running as root, and PostgreSQL refuses to run as root, but there is no "
                           f"`postgres` OS user to run it as; {INSTALL_HINT}") from None
    return SUPERUSER


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresCluster:
    """One throwaway cluster; `start()` it, `stop()` it."""

    bindir: Path = field(default_factory=find_bindir)
    run_as: str | None = field(default_factory=server_user)
    root: Path = Path()
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    started_in: float = 0.0  # seconds initdb + start took
    _counter: int = 0

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                                cwd=self.root, env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        if result.returncode != 0:
            raise ClusterError(f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}"
                               f"{result.stderr}\n{self._log_tail()}")
        return result

    def _log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-3000:] if log.is_file() else ""

    def start(self) -> PostgresCluster:
        """initdb, configure, `pg_ctl start -w`; then create the role the server uses.

        On any failure the half-made cluster is stopped and deleted before the error propagates."""
        began = time.monotonic()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - began
        return self

    def _start(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="field-evidence-pg-"))
        self.socket_dir.mkdir()
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.run_as is not None:
            entry = pwd.getpwnam(self.run_as)
            for path in (self.root, self.socket_dir, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        try:
            self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=scram-sha-256",
                      f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        finally:
            pwfile.unlink(missing_ok=True)
        for attempt in range(3):  # the free port may be taken between asking and binding
            self.port = free_port()
            with open(self.data_dir / "postgresql.conf", "a") as conf:
                conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                           f"unix_socket_directories = '{self.socket_dir}'\n"
                           "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
                           "max_connections = 200\n")
            try:
                self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data_dir),
                          "-l", str(self.root / "server.log"))
                break
            except ClusterError:
                if attempt == 2:
                    raise
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(APP_ROLE), sql.Literal(self.password)))

    def stop(self) -> None:
        """`pg_ctl stop -m fast`, then delete everything the cluster wrote."""
        if self.root == Path():
            return
        try:
            if (self.data_dir / "postmaster.pid").is_file():
                self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """A superuser connection over TCP, in autocommit (CREATE/DROP DATABASE need it)."""
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password,
                               dbname=dbname, autocommit=True, connect_timeout=10)

    def url(self, dbname: str) -> str:
        """The SQLAlchemy URL the server uses for a database, as the unprivileged role."""
        return f"postgresql+psycopg://{APP_ROLE}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, template: str | None = None, prefix: str = "test") -> str:
        """A new database owned by the server's role, empty or copied from `template`; its name."""
        self._counter += 1
        name = f"{prefix}_{self._counter}"
        query = sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(APP_ROLE))
        if template is not None:
            query += sql.SQL(" TEMPLATE {} STRATEGY FILE_COPY").format(sql.Identifier(template))
        with self.connect() as conn:
            conn.execute(query)
        return name

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
