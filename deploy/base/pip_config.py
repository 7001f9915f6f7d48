"""The machine's pip configuration, for `podman build` (used by .ci/deploy-stack).

Writes OUTDIR/pip.conf from what `pip config list` reports here (files and PIP_*
variables: index, extra indexes, find-links, trusted hosts, CA bundle, timeout) and
prints the `podman build` arguments that hand it to the build: the file mounted as
the build's /etc/pip.conf, and every local path it names (a file:// index, a wheel
folder, the CA bundle) mounted read-only at the same place. Nothing of it is written
into an image layer, and no host name is written into the repository: the image
uses whatever index the machine that builds it uses.

    python3 deploy/base/pip_config.py /tmp/some-dir   # prints one argument a line
"""

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

KEYS = [
    "index-url",
    "extra-index-url",
    "find-links",
    "trusted-host",
    "cert",
    "client-cert",
    "timeout",
    "default-timeout",
    "retries",
    "proxy",
]
URL_LISTS = {"index-url", "extra-index-url", "find-links"}
FILES = {"cert", "client-cert"}


def machine_config() -> dict[str, str]:
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, str] = {}
    for line in listed.splitlines():
        name, sep, value = line.partition("=")
        if not sep:
            continue
        key = name.rpartition(".")[2]
        # Later lines (user files, then PIP_* variables) override earlier ones.
        found[key] = value.strip().strip("'\"")
    return {key: found[key] for key in KEYS if found.get(key)}


def local_path(entry: str) -> Path | None:
    if entry.startswith("file:"):
        return Path(urlparse(entry).path)
    if "://" not in entry and entry.startswith("/"):
        return Path(entry)
    return None


def main(outdir: str) -> None:
    config = machine_config()
    mounts: set[Path] = set()
    kept: dict[str, str] = {}
    for key, value in config.items():
        if key in URL_LISTS:
            entries = []
            for entry in value.split():
                path = local_path(entry)
                if path is None:
                    entries.append(entry)
                elif path.exists():
                    entries.append(entry)
                    # A PEP 503 tree links its files relatively (../../files/...).
                    mounts.add(path.parent if path.name == "simple" else path)
            if entries:
                kept[key] = " ".join(entries)
        elif key in FILES:
            if Path(value).is_file():
                kept[key] = value
                mounts.add(Path(value))
        else:
            kept[key] = value
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    conf = out / "pip.conf"
    conf.write_text(
        "[global]\n" + "".join(f"{k} = {v}\n" for k, v in kept.items()),
        encoding="utf-8",
    )
    print(f"--volume={conf}:/etc/pip.conf:ro")
    for path in sorted(mounts):
        print(f"--volume={path}:{path}:ro")


if __name__ == "__main__":
    main(sys.argv[1])
