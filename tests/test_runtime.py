"""tfedu._runtime: thread pools sized to the CPUs a kernel may use (affinity and cgroup quotas)."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tfedu import _runtime

ROOT = Path(__file__).resolve().parent.parent


def fake_cgroup(tmp_path, files: dict, self_cgroup: str = "0::/\n") -> tuple:
    for relative, text in files.items():
        path = tmp_path / "cgroup" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "cgroup").mkdir(exist_ok=True)
    proc = tmp_path / "self_cgroup"
    proc.write_text(self_cgroup)
    return tmp_path / "cgroup", proc


@pytest.mark.parametrize("files, self_cgroup, affinity, cpus, limited_by", [
    ({"cpu.max": "max 100000\n"}, "0::/\n", 64, 64, "affinity"),
    ({"cpu.max": "100000 100000\n"}, "0::/\n", 64, 1, "cgroup quota"),
    ({"cpu.max": "150000 100000\n"}, "0::/\n", 64, 2, "cgroup quota"),
    ({"cpu.max": "50000 100000\n"}, "0::/\n", 8, 1, "cgroup quota"),
    ({"cpu.max": "800000 100000\n"}, "0::/\n", 2, 2, "affinity"),  # quota above affinity
    # the process's own cgroup below the mount point, limited at the pod level
    ({"kubepods/pod1/cpu.max": "200000 100000\n", "kubepods/pod1/c1/cpu.max": "max 100000\n"},
     "0::/kubepods/pod1/c1\n", 64, 2, "cgroup quota"),
    # cgroup v1
    ({"cpu,cpuacct/cpu.cfs_quota_us": "100000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"},
     "4:cpu,cpuacct:/\n", 64, 1, "cgroup quota"),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, "4:cpu:/\n", 16, 16, "affinity"),
    ({"cpu/docker/abc/cpu.cfs_quota_us": "300000\n", "cpu/docker/abc/cpu.cfs_period_us": "100000\n"},
     "4:cpu:/docker/abc\n", 64, 3, "cgroup quota"),
    ({}, "", 4, 4, "affinity"),  # no cgroup files at all (macOS, WSL...)
    ({"cpu.max": "garbage\n"}, "0::/\n", 4, 4, "affinity"),
])
def test_available_cpus_reads_affinity_and_cgroup_quotas(tmp_path, files, self_cgroup, affinity, cpus, limited_by):
    root, proc = fake_cgroup(tmp_path, files, self_cgroup)
    budget = _runtime.available_cpus(cgroup_root=root, proc_self_cgroup=proc, affinity=affinity)
    assert (budget.cpus, budget.limited_by) == (cpus, limited_by)


def test_available_cpus_defaults_to_this_process_affinity():
    budget = _runtime.available_cpus()
    assert 1 <= budget.cpus <= len(os.sched_getaffinity(0)) == budget.affinity


def run_setup(code: str, env_extra: dict | None = None) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON line last."""
    env = dict(os.environ, **(env_extra or {}))
    for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        if name not in (env_extra or {}):
            env.pop(name, None)
    result = subprocess.run([sys.executable, "-W", "always", "-c", textwrap.dedent(code) + REPORT], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    info = json.loads(result.stdout.strip().splitlines()[-1])
    info["stderr"] = result.stderr
    return info


REPORT = """
import json, tensorflow as tf
threading = tf.config.threading
print(json.dumps({"threads": info.threads, "source": info.threads_source,
                  "intra": threading.get_intra_op_parallelism_threads(),
                  "inter": threading.get_inter_op_parallelism_threads(), "text": str(info)}))
"""


def test_setup_sizes_threads_to_a_one_cpu_affinity():
    info = run_setup("""
        import os, tfedu
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        info = tfedu.setup()
    """)
    assert (info["threads"], info["intra"], info["inter"]) == (1, 1, 1)
    assert info["source"] == "CPU affinity"
    assert "thread" not in info["text"]  # the printed summary stays machine-independent


def test_setup_sizes_threads_to_a_simulated_cgroup_quota(tmp_path):
    root, proc = fake_cgroup(tmp_path, {"cpu.max": "100000 100000\n"})
    info = run_setup(f"""
        import tfedu, tfedu._runtime as runtime, pathlib
        runtime.CGROUP_ROOT, runtime.PROC_SELF_CGROUP = pathlib.Path({str(root)!r}), pathlib.Path({str(proc)!r})
        info = tfedu.setup()
        again = tfedu.setup()  # idempotent: same pools, no warning
        assert again.threads == info.threads
    """)
    assert (info["threads"], info["intra"], info["inter"]) == (1, 1, 1)
    assert info["source"] == "CPU quota 1"
    assert "Warning" not in info["stderr"]


def test_environment_variables_win_and_explicit_threads_argument():
    info = run_setup("import tfedu\ninfo = tfedu.setup()\n" , {"TF_NUM_INTRAOP_THREADS": "3"})
    assert info["threads"] == 3 and info["source"] == "TF_NUM_INTRAOP_THREADS"
    assert info["intra"] == 0  # left to TensorFlow, which reads the variable itself
    info = run_setup("import tfedu\ninfo = tfedu.setup(threads=1)\n")
    assert (info["threads"], info["intra"], info["inter"], info["source"]) == (1, 1, 1, "threads=1")


def test_setup_warns_when_tensorflow_already_started_with_more_threads(tmp_path):
    root, proc = fake_cgroup(tmp_path, {"cpu.max": "100000 100000\n"})
    info = run_setup(f"""
        import os, tensorflow as tf
        tf.constant(1.0) + 1.0  # the runtime starts, sized by TensorFlow itself
        import tfedu, tfedu._runtime as runtime, pathlib
        runtime.CGROUP_ROOT, runtime.PROC_SELF_CGROUP = pathlib.Path({str(root)!r}), pathlib.Path({str(proc)!r})
        info = tfedu.setup()
    """)
    if len(os.sched_getaffinity(0)) > 1:
        assert "RuntimeWarning" in info["stderr"] and "Restart the kernel" in info["stderr"]


@pytest.mark.parametrize("threads, error, words", [
    (0, ValueError, "threads must be an int >= 1, got 0"),
    (True, TypeError, "threads must be an int, got bool True"),
    (1.5, TypeError, "threads must be an int, got float 1.5"),
])
def test_setup_rejects_bad_thread_counts(threads, error, words):
    import tfedu

    with pytest.raises(error, match=words):
        tfedu.setup(threads=threads)
