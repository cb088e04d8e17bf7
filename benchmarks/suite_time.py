"""How long `python3 course.py test` takes from a fresh clone, installation included, as CI runs it.

Target: at most 10 minutes on the 2-core CPU (CI allows 90; the course keeps the suite short).

    python3 benchmarks/suite_time.py            # clones the committed HEAD into a temporary folder
    python3 benchmarks/suite_time.py --keep     # and leaves the clone there afterwards

It clones the repository's HEAD (so uncommitted changes are not measured), gives the installers
empty caches of their own (a fresh CI machine has none), runs `python3 course.py setup` and then
`python3 course.py test`, and prints the time of each part: the installation, the main pytest, the
lessons run beside it, and the whole. Nothing else should run meanwhile: the suite uses both cores.
It first times `import tensorflow` in the project's own `.venv` (the speed probe): this machine's
speed drifted by a fifth within an hour (2.9 s to 3.5 s), so compare runs at like probes.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
import course  # noqa: E402  (the environment's path, as the course itself finds it)
import import_footprint  # noqa: E402  (its timing probe)
TARGET_SECONDS = 600.0


def timed(command, cwd, env, log):
    started = time.monotonic()
    with open(log, "w") as out:
        code = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.monotonic() - started, code


def speed_probe():
    """Seconds for `import tensorflow` and a first op in the project's own environment, if it has one.

    The machine's speed drifts (a virtual machine's host is shared): a run is comparable with
    another only at a like probe.
    """
    python = course.venv_python()
    if not python.exists():
        return None
    code, times = import_footprint.STEPS["import tensorflow + first op"], []
    for _ in range(3):
        try:
            times.append(import_footprint.probe(str(python), code)["seconds"])
        except subprocess.CalledProcessError:
            pass
    return statistics.median(times) if times else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the clone and its logs")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tfedu-suite-"))
    clone = folder / "tfedu"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True,
                            text=True).stdout.strip()
    env = {key: value for key, value in os.environ.items() if key != "TFEDU_VENV"}
    env.update(UV_CACHE_DIR=str(folder / "uv-cache"), PIP_NO_CACHE_DIR="1", CI="true")
    print(f"fresh clone of {commit} in {clone}; load average before: {os.getloadavg()[0]:.1f} (should be near 0)",
          flush=True)
    probe = speed_probe()
    if probe is not None:
        print(f"speed probe: import tensorflow + first op takes {probe:.2f} s here now (median of 3)", flush=True)
    install, code = timed([sys.executable, "course.py", "setup"], clone, env, folder / "setup.log")
    if code:
        sys.exit(f"course.py setup failed (exit {code}); see {folder / 'setup.log'}")
    print(f"installation: {install:.0f} s", flush=True)
    test, code = timed([sys.executable, "course.py", "test"], clone, env, folder / "test.log")
    log = (folder / "test.log").read_text(errors="replace")
    main_pytest = re.findall(r"=+ .*?(\d+) passed.* in ([\d.]+)s", log)
    parts = re.findall(r"^\[course\] (\S+) \(run beside the rest, (\d+) s\):", log, re.M)
    lessons = re.findall(r"portability: (\d+) passed, (\d+) failed in (\d+) s", log)
    summary = re.findall(r"^suite: .*$", log, re.M)
    total = install + test
    print(f"main pytest: {main_pytest[0][0]} tests in {float(main_pytest[0][1]):.0f} s" if main_pytest
          else "main pytest: no summary line")
    for (part, seconds), counted in zip(parts, main_pytest[1:]):
        print(f"  queued beside it: {part}, {counted[0]} tests in {seconds} s")
    print(f"lessons, queued after those, two jobs at a time: {lessons[-1][0]} cells; the queue's last job ended "
          f"after {lessons[-1][2]} s" if lessons else "lessons: no summary line")
    print(summary[-1] if summary else "no closing line", f"(exit {code})")
    print(f"whole: {total:.0f} s = {total / 60:.1f} min (installation {install:.0f} s + tests {test:.0f} s); "
          f"target <= {TARGET_SECONDS / 60:.0f} min -> {'OK' if total <= TARGET_SECONDS and code == 0 else 'MISSED'}")
    if args.keep or code:
        print(f"logs and clone kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(code or (total > TARGET_SECONDS))


if __name__ == "__main__":
    main()
