# JupyterHub for one class on one server, with the tfedu course as every student's environment.
#
#   sudo git clone <the course repository> /opt/tfedu/course
#   sudo python3 -m venv /opt/tfedu && cd /opt/tfedu/course && sudo /opt/tfedu/bin/pip install \
#       -r requirements.txt jupyterhub-systemdspawner   # requirements.txt pins jupyterhub 6.1.1 and the culler
#   sudo npm install -g configurable-http-proxy@5.3.0
#   sudo /opt/tfedu/bin/jupyterhub -f deploy/jupyterhub_config.py
#
# (The Littlest JupyterHub does the same with `tljh-config`: see deploy/README.md.) Every number
# below comes from the measurements in deploy/README.md; change them there first.
import os
import shutil
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

COURSE = Path(os.environ.get("TFEDU_COURSE", "/opt/tfedu/course"))   # a clone of the course repository
ENVIRONMENT = Path(os.environ.get("TFEDU_ENV", "/opt/tfedu"))         # its environment (requirements.txt)

# Students: a real class logs in with the university's OAuth (oauthenticator) or, on a closed
# network, with the accounts of this machine (PAM, the default). Admins manage users in the hub.
c.JupyterHub.authenticator_class = os.environ.get("TFEDU_AUTHENTICATOR", "pam")
c.Authenticator.admin_users = set(filter(None, os.environ.get("TFEDU_ADMINS", "").split(",")))
c.Authenticator.allow_all = True

# One systemd unit per student: memory and CPU are enforced by the kernel's cgroups, as TLJH does.
c.JupyterHub.spawner_class = "systemdspawner"
c.SystemdSpawner.mem_limit = "1.5G"          # one open lesson while training: <= 0.95 GB measured
c.SystemdSpawner.cpu_limit = 1.0             # tfedu.setup() reads this quota: TensorFlow gets 1 thread
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.unit_extra_properties = {"MemorySwapMax": "0"}   # over the limit: a clear kernel restart
c.Spawner.cmd = [str(ENVIRONMENT / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/tfedu/lessons/00_welcome.ipynb"
c.Spawner.environment = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
c.Spawner.start_timeout = 120                # TensorFlow's first import on a cold disk


def copy_course(spawner):
    """Give a student their own copy of the lessons the first time; later logins keep their work."""
    home = Path(spawner.user_home_dir if hasattr(spawner, "user_home_dir") else f"/home/{spawner.user.name}")
    target = home / "tfedu"
    if not target.exists():
        shutil.copytree(COURSE / "lessons", target / "lessons")
        shutil.copytree(COURSE / "data", target / "data")
        shutil.chown(target, spawner.user.name)
        for path in target.rglob("*"):
            shutil.chown(path, spawner.user.name)


c.Spawner.pre_spawn_hook = copy_course

# Idle servers are stopped after 20 minutes (a kernel holds ~0.6-0.8 GB even when idle); the
# student's files stay in their home, and the next login starts a fresh server.
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [str(ENVIRONMENT / "bin" / "python"), "-m", "jupyterhub_idle_culler", "--timeout=1200",
                "--cull-every=300", "--concurrency=5"],
}]
c.JupyterHub.cleanup_servers = False         # a hub restart does not stop the students' servers
