"""Peak memory and speed of ``talon-fakes check`` on large JSON Lines files (it must stream).

Run ``python -m benchmarks.bench_cli_stream [--lines 10000 100000]``. Each file is checked by the
installed console script in its own process; the peak resident set size comes from ``wait4``.
The baseline, measured in the same run, is a process that only loads the largest file into a
list: what a non-streaming checker would need at the least. It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from benchmarks.corpus import documents

CONTRACT = "customer-session-v2"
SCRIPT = Path(sys.executable).parent / "talon-fakes"
LOAD_ALL = (
    "import orjson, sys; docs = [orjson.loads(line) for line in open(sys.argv[1], 'rb')]; print(len(docs))"
)


def write_jsonl(path: Path, lines: int, pool: list[bytes]) -> None:
    with path.open("wb") as handle:
        for index in range(lines):
            handle.write(pool[index % len(pool)] + b"\n")


def run(argv: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in KiB, and exit status of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss, child.returncode


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args(argv)
    pool = [orjson.dumps(doc) for doc in documents(CONTRACT, 2_000, seed=0)]
    print(f"talon-fakes check --contract {CONTRACT}: {len(pool)} distinct corpus documents, repeated")
    print(f"{'lines':>9}  {'MB':>7}  {'seconds':>8}  {'docs/s':>8}  {'peak RSS MiB':>12}  exit")
    peaks = []
    with tempfile.TemporaryDirectory() as folder:
        for lines in args.lines:
            path = Path(folder) / f"{lines}.jsonl"
            write_jsonl(path, lines, pool)
            seconds, peak, status = run([str(SCRIPT), "check", "--contract", CONTRACT, str(path)])
            peaks.append(peak)
            size = path.stat().st_size / 1e6
            rate = lines / seconds
            print(
                f"{lines:>9,}  {size:>7.1f}  {seconds:>8.2f}  {rate:>8,.0f}  {peak / 1024:>12.1f}  {status}"
            )
        _, loaded, _ = run([sys.executable, "-c", LOAD_ALL, str(path)])
    print(f"peak RSS, {args.lines[-1]:,} lines / {args.lines[0]:,} lines: {peaks[-1] / peaks[0]:.2f}x")
    last = args.lines[-1]
    print(f"for scale, a process that only loads {last:,} documents into a list: {loaded / 1024:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
