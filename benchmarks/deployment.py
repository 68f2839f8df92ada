#!/usr/bin/env python
"""Search capacity of the two deployments the README describes, measured on this machine.

- `sqlite-1`: the embedded default, one `hrba serve` process over SQLite;
- `postgres-1`: one process over PostgreSQL (the database's own cost, for comparison);
- `postgres-2`: two processes over one PostgreSQL database, each with its own data
  directory and index, as behind a load balancer (no proxy here: each is measured and
  the sum reported).

Each setup gets the shipped corpus (restored from one `hrba backup`), then `--clients`
concurrent clients (processes, one keep-alive connection each, spread evenly over the
server processes) send a seeded mix of `/api/v1/search` requests for `--seconds` after a
short warm-up. Everything runs on loopback, servers and clients on the same cores, so the
figures are what this machine can do, a lower bound for servers with cores of their own.

    .venv/bin/python benchmarks/deployment.py                        # all three, 20 s each
    .venv/bin/python benchmarks/deployment.py --setups sqlite-1 --seconds 10
    .venv/bin/python benchmarks/deployment.py --json

PostgreSQL: `--postgres-url` (default `HRBA_TEST_DATABASE_URL`, else the server on
127.0.0.1:5432); a database is created for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
HRBA = shutil.which("hrba", path=str(Path(sys.executable).parent)) or "hrba"
SETUPS = {"sqlite-1": ("sqlite", 1), "postgres-1": ("postgresql", 1), "postgres-2": ("postgresql", 2)}
WARM_UP_SECONDS = 3.0
QUERIES = ["", "gender equality", "human rights based approach", "water", "participation",
           "universal periodic review", "children", "indigenous peoples", "accountability",
           "droits de l'homme", "derechos humanos", "disability inclusion", "climate", "UPR",
           "programming principles", "gender", "health", "education rights", "migration", "data"]
FILTERS = [[], [("agency", "unicef")], [("theme", "gender-equality")], [("type", "guidance")],
           [("language", "fr")], [("agency", "ohchr"), ("type", "guidance")], [("year_from", "2015")]]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def hrba(*args: str, env: dict[str, str]) -> str:
    """Run `hrba ARGS` with this checkout's code; return its output, fail loudly."""
    done = subprocess.run([HRBA, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"hrba {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The settings of one server process: no rate limit to speak of, quiet logs."""
    python_path = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": python_path, "HRBA_DATA_DIR": str(data_dir),
           "HRBA_RATE_LIMIT": "100000000 per minute", "HRBA_LOG_LEVEL": "WARNING",
           "HRBA_SECRET_KEY": secrets.token_hex(32)}  # shared by the processes of one run
    if database_url:
        env["HRBA_DATABASE_URL"] = database_url
    return env


def _wait_ready(process: subprocess.Popen, port: int) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"hrba serve exited with {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise SystemExit("hrba serve was not ready within two minutes")


@contextmanager
def server(env: dict[str, str]):
    """Start `hrba serve` on a free loopback port; yield its (host, port) once /readyz says 200."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with subprocess.Popen([HRBA, "serve"], env={**env, "HRBA_HOST": "127.0.0.1", "HRBA_PORT": str(port)},
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        try:
            _wait_ready(process, port)
            yield ("127.0.0.1", port)
        finally:
            process.terminate()  # leaving the `with` waits for it


def request_paths(seed: int, count: int = 500) -> list[str]:
    """A seeded mix of searches: words in several languages, filters, a second page now and then."""
    rng = random.Random(seed)
    paths = []
    for _ in range(count):
        params = [("q", rng.choice(QUERIES)), *rng.choice(FILTERS)]
        if rng.random() < 0.2:
            params.append(("page", "2"))
        paths.append("/api/v1/search?" + urllib.parse.urlencode(params))
    return paths


def client(address: tuple[str, int], seed: int, start: float, warm_until: float, stop_at: float, results):
    """Send requests over one keep-alive connection until `stop_at`; report what was counted."""
    paths = request_paths(seed)
    connection = http.client.HTTPConnection(*address, timeout=30)
    latencies, errors, n, cpu = [], 0, 0, None
    while time.time() < start:
        time.sleep(0.005)
    while (now := time.time()) < stop_at:
        if cpu is None and now >= warm_until:
            cpu = time.process_time()
        path = paths[n % len(paths)]
        n += 1
        began = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection(*address, timeout=30)
        if now >= warm_until:
            latencies.append((time.perf_counter() - began) * 1000)
            errors += not ok
    connection.close()
    results.put((address[1], latencies, errors, time.process_time() - (cpu or time.process_time())))


def load(addresses: list[tuple[str, int]], clients: int, seconds: float) -> dict:
    """Run `clients` client processes spread over `addresses`; return the figures."""
    start = time.time() + 1.0
    warm_until, stop_at = start + WARM_UP_SECONDS, start + WARM_UP_SECONDS + seconds
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=client, args=(addresses[i % len(addresses)], i, start, warm_until,
                                                            stop_at, results)) for i in range(clients)]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(ms for _, found, _, _ in answers for ms in found)
    per_port = {port: 0 for _, port in addresses}
    for port, found, _, _ in answers:
        per_port[port] += len(found)
    return {"requests": len(latencies), "errors": sum(e for _, _, e, _ in answers),
            # The share of the machine's CPU time the clients themselves took.
            "client_cpu_share": sum(c for *_, c in answers) / (seconds * (os.cpu_count() or 1)),
            "requests_per_second": len(latencies) / seconds,
            "per_process": [count / seconds for count in per_port.values()],
            "p50_ms": statistics.median(latencies) if latencies else None,
            "p95_ms": latencies[int(len(latencies) * 0.95)] if latencies else None}


@contextmanager
def postgres_database(admin_url: str):
    """Create an empty database for the run; yield its URL; drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"hrba_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_setup(name: str, work: Path, backup: Path, args: argparse.Namespace) -> dict:
    """Restore the backup into the setup's database and data directories, serve, and load."""
    dialect, processes = SETUPS[name]
    with ExitStack() as stack:
        database_url = stack.enter_context(postgres_database(args.postgres_url)) if dialect == "postgresql" else None
        data_dirs = [work / name / f"process-{n}" for n in range(processes)]
        hrba("restore", str(backup), env=environment(data_dirs[0], database_url))
        for data_dir in data_dirs[1:]:
            hrba("reindex", env=environment(data_dir, database_url))  # each host builds its own index
        addresses = [stack.enter_context(server(environment(d, database_url))) for d in data_dirs]
        log(f"{name}: {processes} process(es) ready; {args.clients} clients for {args.seconds:.0f} s")
        figures = load(addresses, args.clients, args.seconds)
    return {"setup": name, "database": dialect, "processes": processes, "clients": args.clients,
            "seconds": args.seconds, **figures}


def print_table(rows: list[dict]) -> None:
    print(f"search API capacity on {os.cpu_count()} CPU cores (servers and clients share them)")
    print("setup       | processes | clients | requests | errors |  req/s | p50 ms | p95 ms | clients' CPU "
          "| req/s by process")
    print("------------+-----------+---------+----------+--------+--------+--------+--------+--------------"
          "+-----------------")
    for row in rows:
        by_process = " + ".join(f"{figure:.1f}" for figure in row["per_process"])
        print(f"{row['setup']:<11} | {row['processes']:>9} | {row['clients']:>7} | {row['requests']:>8} | "
              f"{row['errors']:>6} | {row['requests_per_second']:>6.1f} | {row['p50_ms']:>6.1f} | "
              f"{row['p95_ms']:>6.1f} | {row['client_cpu_share']:>11.0%} | {by_process}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setups", default=",".join(SETUPS),
                        help=f"comma-separated, from {', '.join(SETUPS)} (default: all)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per setup, at most 30")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--postgres-url", default=os.environ.get("HRBA_TEST_DATABASE_URL")
                        or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    args.setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    unknown = set(args.setups) - set(SETUPS)
    if unknown or not 0 < args.seconds <= 30 or args.clients < 1:
        parser.error(f"unknown setups {sorted(unknown)}" if unknown else "--seconds: 1 to 30; --clients: 1 or more")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hrba-deployment-") as temporary:
        work = Path(temporary)
        log("building the catalogue once (hrba setup), then backing it up")
        hrba("setup", env=environment(work / "template", None))
        backup = work / "corpus.zip"
        hrba("backup", str(backup), env=environment(work / "template", None))
        rows = [run_setup(name, work, backup, args) for name in args.setups]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
