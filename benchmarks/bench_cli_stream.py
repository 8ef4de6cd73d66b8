"""Peak memory and speed of ``talon-fakes check`` on large JSON Lines files (it must stream).

Run ``python -m benchmarks.bench_cli_stream [--lines 10000 100000] [--compare 100000]``. Each file
is checked by the installed console script in its own process; the peak resident set size comes
from ``wait4``. The baseline, measured in the same run, is a process that only loads the largest
file into a list: what a non-streaming checker would need at the least.

Then it times ``--compare`` lines of valid documents against as many invalid ones (one schema
rule broken in each) and as many with one unknown field checked under ``--strict``: the goal is
each under 10x the valid file's time. It prints; it asserts nothing.
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
from benchmarks.mutations import Breaks, mutants

CONTRACT = "customer-session-v2"
TARGET = 10.0  # invalid or drifting lines: under 10x the time of as many valid ones
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


def compare(folder: Path, lines: int, valid: list[bytes], seed: int = 0) -> None:
    """Time ``lines`` valid lines against as many invalid ones and as many drifting ones (strict)."""
    docs = [orjson.loads(line) for line in valid]

    def broken(breaks: Breaks) -> list[bytes]:
        return [orjson.dumps(doc) for _, doc in mutants(CONTRACT, docs, seed=seed, breaks=breaks)]

    cases = [
        ("valid", valid, []),
        ("invalid", broken("schema"), []),
        ("unknown field", broken("unknown_field"), ["--strict"]),
    ]
    print(f"\n{lines:,} lines each ({len(valid):,} distinct documents, repeated):")
    print(f"{'file':>15}  {'options':>8}  {'seconds':>8}  {'docs/s':>8}  {'/ valid':>8}  exit")
    base = 0.0
    for name, pool, options in cases:
        path = folder / f"{name.replace(' ', '-')}.jsonl"
        write_jsonl(path, lines, pool)
        seconds, _, status = run([str(SCRIPT), "check", "--contract", CONTRACT, *options, str(path)])
        base = base or seconds
        ratio = seconds / base
        mark = "" if name == "valid" else ("  (target met)" if ratio < TARGET else "  (target NOT met)")
        print(
            f"{name:>15}  {' '.join(options):>8}  {seconds:>8.2f}  {lines / seconds:>8,.0f}  "
            f"{ratio:>7.1f}x  {status}{mark}"
        )
    print(f"target: invalid and drifting lines each under {TARGET:.0f}x the time of valid ones")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument(
        "--compare",
        type=int,
        default=100_000,
        help="lines in each of the valid/invalid/drifting files (0: skip)",
    )
    args = parser.parse_args(argv)
    pool = [orjson.dumps(doc) for doc in documents(CONTRACT, 2_000, seed=0)]
    with tempfile.TemporaryDirectory() as folder:
        if args.lines:
            memory(Path(folder), args.lines, pool)
        if args.compare:
            compare(Path(folder), args.compare, pool)
    return 0


def memory(folder: Path, sizes: list[int], pool: list[bytes]) -> None:
    """Peak memory of checking valid files of each size, against loading the largest into a list."""
    print(f"talon-fakes check --contract {CONTRACT}: {len(pool)} distinct corpus documents, repeated")
    print(f"{'lines':>9}  {'MB':>7}  {'seconds':>8}  {'docs/s':>8}  {'peak RSS MiB':>12}  exit")
    peaks = []
    for lines in sizes:
        path = folder / f"{lines}.jsonl"
        write_jsonl(path, lines, pool)
        seconds, peak, status = run([str(SCRIPT), "check", "--contract", CONTRACT, str(path)])
        peaks.append(peak)
        size = path.stat().st_size / 1e6
        rate = lines / seconds
        print(f"{lines:>9,}  {size:>7.1f}  {seconds:>8.2f}  {rate:>8,.0f}  {peak / 1024:>12.1f}  {status}")
    _, loaded, _ = run([sys.executable, "-c", LOAD_ALL, str(path)])
    print(f"peak RSS, {sizes[-1]:,} lines / {sizes[0]:,} lines: {peaks[-1] / peaks[0]:.2f}x")
    print(
        f"for scale, a process that only loads {sizes[-1]:,} documents into a list: {loaded / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    sys.exit(main())
