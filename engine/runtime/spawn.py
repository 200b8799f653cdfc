"""Start a spawned process with an environment that holds none of Cairn's secrets.

The reader process parses untrusted files. A spawned child inherits the whole
environment, so a PDF that took the reader over would find `CAIRN_PASSPHRASE` (and
`CAIRN_NEW_PASSPHRASE` during `cairn encrypt`) in /proc/self/environ. Removing them
from `os.environ` around the start would hide them for that moment from every other
thread too (a search opening the encrypted index), and changing the C environment
while other threads read it is unsafe; so the child is started with its own, smaller
environment instead. Everything else is kept: PATH, locale, HOME/XDG, PYTHONPATH and a
bundle's own variables (PyInstaller) are what the reader needs to start at all.

multiprocessing has no option for a child's environment: this is its POSIX spawn
launcher with `subprocess.Popen(env=...)` in place of its internal exec. The same
protocol, so it works from the PyInstaller bundle (`freeze_support`) as before.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any

from engine.runtime.passphrase import SECRET_ENVS


def clean_environment() -> dict[str, str]:
    """The environment a child of Cairn that needs no secret gets."""
    return {name: value for name, value in os.environ.items() if name not in SECRET_ENVS}


if sys.platform != "win32":
    from multiprocessing import context, popen_spawn_posix, reduction, resource_tracker, spawn, util

    class _Popen(popen_spawn_posix.Popen):
        _fds: list[int]  # the descriptors the child keeps (set by popen_spawn_posix.Popen)

        def _launch(self, process_obj: Any) -> None:
            # multiprocessing.popen_spawn_posix.Popen._launch (3.11-3.13), starting the child with
            # subprocess so that it gets `clean_environment()`.
            tracker_fd = resource_tracker.getfd()
            assert tracker_fd is not None
            self._fds.append(tracker_fd)
            prep_data = spawn.get_preparation_data(process_obj._name)
            fp = io.BytesIO()
            context.set_spawning_popen(self)
            try:
                reduction.dump(prep_data, fp)
                reduction.dump(process_obj, fp)
            finally:
                context.set_spawning_popen(None)
            parent_r = child_w = child_r = parent_w = None
            try:
                parent_r, child_w = os.pipe()
                child_r, parent_w = os.pipe()
                cmd = spawn.get_command_line(tracker_fd=tracker_fd, pipe_handle=child_r)
                self._fds.extend([child_r, child_w])
                # its own session: Ctrl+C in a terminal reaches Cairn, which stops the reader itself, instead of
                # interrupting the reader mid-file (a traceback on the terminal) while Cairn is shutting down
                self._child = subprocess.Popen(cmd, executable=spawn.get_executable(), pass_fds=sorted(set(self._fds)),
                                               env=clean_environment(), restore_signals=False,
                                               start_new_session=True)
                self.pid = self._child.pid
                self.sentinel = parent_r
                with open(parent_w, "wb", closefd=False) as f:
                    f.write(fp.getbuffer())
            finally:
                self.finalizer = util.Finalize(self, util.close_fds,  # type: ignore[attr-defined]
                                               [fd for fd in (parent_r, parent_w) if fd is not None])
                for fd in (child_r, child_w):
                    if fd is not None:
                        os.close(fd)

        def poll(self, flag: int = os.WNOHANG) -> int | None:
            # the subprocess.Popen reaps the child, so that the two never wait for the same process
            if self.returncode is None:
                self.returncode = self._child.wait() if flag == 0 else self._child.poll()
            return self.returncode

    class CleanProcess(context.SpawnProcess):
        """A spawn-context Process whose child starts without Cairn's secrets in its environment."""

        @staticmethod
        def _Popen(process_obj: Any) -> Any:
            return _Popen(process_obj)

else:  # Windows (not tried): spawn there has no environment option either; the secrets stay inherited
    from multiprocessing.context import SpawnProcess as CleanProcess  # noqa: F401
