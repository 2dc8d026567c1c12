"""A private PostgreSQL cluster for the tests: initdb in a temporary folder, loopback only.

Debian's `postgresql` package (installed by `make test`) gives the binaries; the cluster runs
as the `postgres` user when the tests run as root (initdb refuses root), is reached over TCP on
127.0.0.1 with trust authentication, and is stopped at the end of the session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Cluster:
    def __init__(self) -> None:
        bins = _bin_dir()
        if bins is None:
            raise RuntimeError("PostgreSQL binaries not found (Debian package postgresql)")
        self.bins = bins
        self.root = Path(tempfile.mkdtemp(prefix="canteen-pg-"))
        self.data = self.root / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on",
            "start",
        )
        self.databases = 0

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self._as_user, str(self.bins / tool), *args],
            check=True,
            capture_output=True,
            cwd=self.root,
        )

    def new_database(self) -> str:
        """A fresh, empty database; returns its postgresql:// URL."""
        self.databases += 1
        name = f"t{self.databases}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def dump(self, url: str, path: Path) -> None:
        """A backup as an operator takes one: pg_dump's custom format."""
        name = url.rsplit("/", 1)[1]
        with path.open("wb") as out:
            subprocess.run(
                [*self._as_user, str(self.bins / "pg_dump"), *self._where(), "-Fc", name],
                check=True,
                stdout=out,
                cwd=self.root,
            )

    def restore(self, path: Path, url: str) -> None:
        """The database dropped and made again from a backup (pg_restore)."""
        name = url.rsplit("/", 1)[1]
        self._run("dropdb", *self._where(), "--force", name)
        self._run("createdb", *self._where(), name)
        with path.open("rb") as src:
            subprocess.run(
                [*self._as_user, str(self.bins / "pg_restore"), *self._where(), "-d", name],
                check=True,
                stdin=src,
                capture_output=True,
                cwd=self.root,
            )

    def _where(self) -> list[str]:
        return ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
