"""deploy/: the one-server JupyterHub configuration and the Zero to JupyterHub values load, and hold the
sizes deploy/README.md measured (memory per student, one CPU so TensorFlow gets one thread, culling)."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def hub_config():
    from traitlets.config import Config

    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(DEPLOY / "jupyterhub_config.py")}
    exec(compile((DEPLOY / "jupyterhub_config.py").read_text(), "jupyterhub_config.py", "exec"), namespace)
    return config, namespace


def test_the_one_server_hub_limits_each_student_and_culls_idle_servers():
    config, namespace = hub_config()
    assert config.JupyterHub.spawner_class == "systemdspawner"
    assert config.SystemdSpawner.mem_limit == "1.5G" and config.SystemdSpawner.cpu_limit == 1.0
    assert config.Spawner.default_url.endswith("lessons/00_welcome.ipynb")
    culler = next(service for service in config.JupyterHub.services if service["name"] == "idle-culler")
    assert "jupyterhub_idle_culler" in culler["command"] and "--timeout=1200" in culler["command"]
    role = next(role for role in config.JupyterHub.load_roles if role["name"] == "idle-culler")
    assert {"read:users:activity", "delete:servers"} <= set(role["scopes"])
    assert callable(namespace["copy_course"]) and config.Spawner.pre_spawn_hook is namespace["copy_course"]


def test_the_kubernetes_values_guarantee_what_a_student_needs_with_cpu_guarantee_equal_to_limit():
    values = yaml.safe_load((DEPLOY / "values.yaml").read_text())
    user = values["singleuser"]
    assert user["cpu"]["guarantee"] == user["cpu"]["limit"] == 1
    assert user["memory"] == {"guarantee": "1G", "limit": "2G"}
    assert user["defaultUrl"] == "/lab/tree/lessons/00_welcome.ipynb"
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == 1200
    assert values["prePuller"]["continuous"]["enabled"] and values["scheduling"]["userPlaceholder"]["enabled"]


def test_the_readme_sizes_match_the_files():
    readme = (DEPLOY / "README.md").read_text()
    assert "1.5G" in readme and "guarantee: 1G" in readme and "limit: 2G" in readme
    assert re.search(r"\| students per GB", readme) and "benchmarks/classroom_hub.py" in readme
