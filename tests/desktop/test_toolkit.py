"""The Qt binding itself must not corrupt the interpreter during a long session.

PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a C++ method
that returns nothing; painting the results list makes hundreds of such calls, so after
some minutes None's count reaches zero and the app aborts ("deallocating None"). The
pin in pyproject.toml keeps that release out; this test says so if it ever comes back.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QFont


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_void_calls_keep_none_alive() -> None:
    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(1000):
        font.setBold(True)
    assert sys.getrefcount(None) - before > -100, "this PySide6 drops a reference to None per call: use another"
