"""Installs the doctor in a Python child of ``asyncdoctor run``, then gets out of the way.

``asyncdoctor run`` puts this file's folder first on ``PYTHONPATH`` (see
``asyncdoctor.runtime._follow``), so every Python process the program starts
imports this module as ``sitecustomize`` while it starts up, after the
``.pth`` files and before the program's first line.  It then:

1. runs the ``sitecustomize`` that the child would have imported without us
   (the next one on ``sys.path``), if any, as the module ``sitecustomize``:
   nothing is shadowed, and an error in it is reported by ``site`` as usual;
2. takes its own folder off ``sys.path``;
3. installs the doctor, when ``ASYNCDOCTOR_RUN_DIR`` names a folder that
   still exists, the interpreter is a CPython that asyncdoctor supports, and
   it imports ``asyncdoctor`` from the very folder this file is in.

Any other Python that reads ``PYTHONPATH`` imports this file too, down to
Python 2: so it is written in the subset of Python that every version
compiles (no f-strings, type comments rather than annotations), and in a child
it does not follow it only chains.  It never fails a child: what goes wrong
is caught, and only a doctor that failed to start says so, in one line.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _real(path):
    # type: (str) -> str
    try:
        return os.path.realpath(os.path.abspath(path or os.curdir))
    except Exception:
        return path


def _others():
    # type: () -> list[str]
    """``sys.path`` without this folder."""
    here = _real(_HERE)
    return [entry for entry in sys.path if _real(entry) != here]


def _run_next_sitecustomize():
    # type: () -> None
    """Import the ``sitecustomize`` that this one shadows, under the same name."""
    path = _others()
    if sys.version_info >= (3, 4):  # noqa: UP036 (Python 2 children read this file too)
        import importlib.machinery
        import importlib.util

        spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
        if spec is None or spec.loader is None:
            return
        module = importlib.util.module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)
    else:  # pragma: no cover - Python 2 and 3.3
        imp = __import__("imp")
        try:
            found = imp.find_module("sitecustomize", path)
        except ImportError:
            return
        try:
            imp.load_module("sitecustomize", *found)
        finally:
            if found[0] is not None:
                found[0].close()


def _follow():
    # type: () -> None
    """Start the doctor in this process when it belongs to a followed run (see the module's docstring)."""
    run_dir = os.environ.get("ASYNCDOCTOR_RUN_DIR")
    if not run_dir or sys.version_info < (3, 11) or sys.implementation.name != "cpython":
        return
    if not os.path.isdir(run_dir):
        return
    import importlib.util

    spec = importlib.util.find_spec("asyncdoctor")
    origin = spec.origin if spec is not None else None
    if not origin or _real(os.path.dirname(origin)) != _real(os.path.dirname(_HERE)):
        return  # another asyncdoctor, or none: this child is not ours to watch
    try:
        from asyncdoctor.runtime._follow import start_child
    except Exception as exc:
        sys.stderr.write(
            "asyncdoctor: doctor failed in process " + str(os.getpid()) + " ("
            + type(exc).__name__ + ": " + str(exc) + "); it runs without it\n"
        )
        return
    start_child(run_dir, os.environ.get("ASYNCDOCTOR_OPTIONS", "{}"))


def _main():
    # type: () -> None
    failure = None
    try:
        _run_next_sitecustomize()
    except Exception as exc:  # the program's own sitecustomize failed: site says so, as usual
        failure = exc
    here = _real(_HERE)
    sys.path[:] = [entry for entry in sys.path if _real(entry) != here]
    try:  # noqa: SIM105 (contextlib would cost every child start-up time)
        _follow()
    except Exception:
        pass
    if failure is not None:
        raise failure


_main()
