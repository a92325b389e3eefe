"""Never-awaited coroutines and unclosed resources, seen through :mod:`warnings`.

**never-awaited.**  CPython reports a coroutine collected without being
awaited by calling ``warnings._warn_unawaited_coroutine(coro)``, looked up
in the ``warnings`` module at call time, from C (``_PyErr_WarnUnawaitedCoroutine``).
A plain wrapper would add a Python frame and shift the original's
``warn(..., stacklevel=2)`` onto asyncdoctor, changing the printed
location.  So we install a *copy* of the original function (same code
object, so the same text, file and line in any traceback) whose global
``warn`` is ours: it records the coroutine, then calls the real ``warn``
with ``stacklevel + 1``.  The user sees exactly the same warning (under
``-W error`` the traceback printed by the unraisable hook has one more
frame, ours).

The creation line: ``sys.set_coroutine_origin_tracking_depth`` would give
it exactly, but costs about 0.2 us for *every* coroutine created (measured:
a coroutine call goes from 155 ns to 352 ns at depth 1, 1.3 us at depth 3),
too much for a doctor meant to stay on; it is the opt-in option
``coroutine_origins`` (the "Coroutine created at" lines it would add to the
warning are removed again, unless the program asked for origins itself).
By default the line is recovered from the frame that dropped the
coroutine: a coroutine created and dropped at once is collected on its own
line; otherwise we look, in that frame's code and in the functions called on
its current line, for the line that loads the coroutine function's name.

**unclosed-resource.**  ``ResourceWarning`` is ignored by default, and the C
code drops an ignored warning before any Python code runs.  We insert one
filter ``("always", None, ResourceWarning, None, 0)`` (after any filter the
program has that turns ResourceWarnings into errors, so those still raise
exactly as before) and wrap ``warnings._showwarnmsg``: a ResourceWarning is
recorded, then shown only if the program's own filters would have shown
it (``ignore`` drops it; ``default``/``module``/``once`` are emulated with
our own registry).  Creation sites are recorded for objects whose
constructor we can see cheaply: asyncio transports, ``subprocess.Popen``,
aiohttp's ``ClientSession`` and connectors (their ``__init__`` is wrapped
on the class; the object is unchanged).  aiohttp's "Unclosed client
session" reports through the loop's exception handler are taken from
:mod:`._tasks` and merged with the ResourceWarning of the same object.
"""

from __future__ import annotations

import inspect
import re
import sys
import threading
import types
import warnings
import weakref
from collections.abc import Callable
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any

from ._codesearch import find_creation, guess_coroutine_creation, user_frame
from ._context import current_context
from ._frames import caller_frame, frame_data, is_user_file, stack_of
from ._models import Frame, RuntimeFinding

if TYPE_CHECKING:
    from ._doctor import Doctor

__all__ = ["WarningHooks"]

_ORIGIN_HEADER = "\nCoroutine created at (most recent call last)"


class _ObjectSites:
    """Creation sites of a few kinds of objects, by id, checked with a weak reference."""

    def __init__(self) -> None:
        self.entries: dict[int, tuple[Any, Frame, tuple[Frame, ...]]] = {}
        self.prune_at = 256
        self.lock = threading.Lock()

    def record(self, obj: object, site: Frame, stack: tuple[Frame, ...]) -> None:
        try:
            ref: Any = weakref.ref(obj)
        except TypeError:
            return
        with self.lock:
            self.entries[id(obj)] = (ref, site, stack)
            if len(self.entries) > self.prune_at:
                dead = [key for key, (r, _, _) in self.entries.items() if r() is None]
                for key in dead:
                    del self.entries[key]
                self.prune_at = max(256, 2 * len(self.entries))

    def get(self, obj: object) -> tuple[Frame, tuple[Frame, ...]] | None:
        entry = self.entries.get(id(obj))
        if entry is None:
            return None
        ref, site, stack = entry
        target = ref()
        if target is not None and target is not obj:
            return None
        return site, stack


def _active_filters() -> list[Any]:
    """The warning filters in effect here.

    With context-aware warnings (3.14+, ``-X context_aware_warnings``, the default on
    free-threaded builds) ``catch_warnings()`` gives each context its own list, which
    ``warnings._get_filters()`` returns; otherwise it is ``warnings.filters``.
    """
    get_filters = getattr(warnings, "_get_filters", None)
    if get_filters is not None:
        try:
            filters = get_filters()
        except Exception:
            filters = None
        if isinstance(filters, list):
            return filters
    return warnings.filters  # type: ignore[return-value]


class _WarnProxy:
    """Stands for the ``warnings`` module (``_wm``) in our copy of ``_warn_unawaited_coroutine``.

    Its ``warn`` is ours; every other attribute is the real module's, read at each use.
    """

    def __init__(self, module_globals: dict[str, Any], warn: Callable[..., None]) -> None:
        self._globals = module_globals
        self.warn = warn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._globals.get("_wm") or warnings, name)


class WarningHooks:
    """Installs and runs the warning-based detectors."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        self.objects = _ObjectSites()
        self._recent: dict[int, float] = {}
        self._shown: set[tuple[Any, ...]] = set()
        self._filter: tuple[Any, ...] | None = None
        self._filters: list[Any] = []
        self._owned_origin_depth = 0
        self._patched_classes: set[type] = set()

    # -- installation -----------------------------------------------------------

    def install(self) -> None:
        options = self.doctor.options
        if options.wants("never-awaited"):
            self._install_never_awaited()
        if options.wants("unclosed-resource"):
            self._install_resource_warnings()
            self.patch_constructors()

    def _install_never_awaited(self) -> None:
        original = getattr(warnings, "_warn_unawaited_coroutine", None)
        if not isinstance(original, types.FunctionType):
            self.doctor.unavailable(
                "never-awaited", "warnings._warn_unawaited_coroutine is not a Python function here"
            )
            return
        import dis

        names = {
            instruction.argval
            for instruction in dis.get_instructions(original)
            if instruction.opname == "LOAD_GLOBAL"
        }
        module_globals = original.__globals__
        # How the function reaches ``warn``: the module global ``warn`` (3.11-3.13) or
        # ``_wm.warn``, ``_wm`` being the ``warnings`` module (3.14+, in ``_py_warnings``).
        via_module = "_wm" in names
        if not via_module and "warn" not in names:
            self.doctor.unavailable(
                "never-awaited", "warnings._warn_unawaited_coroutine does not call warn() here"
            )
            return

        def real_warn(*args: Any) -> None:
            if via_module:
                owner = module_globals.get("_wm") or warnings
                owner.warn(*args)
            else:
                module_globals.get("warn", warnings.warn)(*args)

        hooks = self

        def warn(
            message: Any, category: Any = None, stacklevel: int = 1, source: Any = None
        ) -> None:
            try:
                message = hooks.on_unawaited(message, source)
            except Exception as exc:
                hooks.doctor.internal_error("never-awaited hook", exc)
            # real_warn adds one more frame of ours (see the module docstring)
            real_warn(message, category, stacklevel + 2, source)

        namespace = dict(module_globals)
        if via_module:
            namespace["_wm"] = _WarnProxy(module_globals, warn)
        else:
            namespace["warn"] = warn
        copy = types.FunctionType(
            original.__code__,
            namespace,
            original.__name__,
            original.__defaults__,
            original.__closure__,
        )
        copy.__qualname__ = original.__qualname__
        copy.__doc__ = original.__doc__
        self.doctor.patches.set(warnings, "_warn_unawaited_coroutine", copy)
        if self.doctor.options.coroutine_origins and sys.get_coroutine_origin_tracking_depth() == 0:
            self._owned_origin_depth = 1
            sys.set_coroutine_origin_tracking_depth(1)

    def set_origin_tracking_in_thread(self) -> None:
        """Coroutine origin tracking is per thread: turn it on in a loop's thread."""
        if self._owned_origin_depth and sys.get_coroutine_origin_tracking_depth() == 0:
            sys.set_coroutine_origin_tracking_depth(self._owned_origin_depth)

    def _install_resource_warnings(self) -> None:
        filters = _active_filters()
        position = 0
        for index, entry in enumerate(filters):
            action, _message, category, _module, _lineno = entry
            if (
                action == "error"
                and isinstance(category, type)
                and issubclass(ResourceWarning, category)
            ):
                position = index + 1
        entry = ("always", None, ResourceWarning, None, 0)
        filters.insert(position, entry)
        self._filter = entry
        self._filters = filters
        mutated = getattr(warnings, "_filters_mutated", None)
        if mutated is not None:
            mutated()
        original = warnings._showwarnmsg  # type: ignore[attr-defined]
        hooks = self

        def _showwarnmsg(msg: warnings.WarningMessage) -> None:
            if not issubclass(msg.category, ResourceWarning):
                original(msg)
                return
            action = "default"
            try:
                action = hooks.on_resource_warning(msg)
            except Exception as exc:
                hooks.doctor.internal_error("unclosed-resource hook", exc)
            if action == "ignore":
                return None
            if action == "error":
                raise msg.message if isinstance(msg.message, Warning) else msg.category(msg.message)
            original(msg)

        self.doctor.patches.set(warnings, "_showwarnmsg", _showwarnmsg)

    def uninstall(self) -> None:
        if self._filter is not None:
            try:
                self._filters.remove(self._filter)
                mutated = getattr(warnings, "_filters_mutated", None)
                if mutated is not None:
                    mutated()
            except ValueError:
                pass
            self._filter = None
        if (
            self._owned_origin_depth
            and sys.get_coroutine_origin_tracking_depth() == self._owned_origin_depth
        ):
            sys.set_coroutine_origin_tracking_depth(0)
        self._owned_origin_depth = 0

    def patch_constructors(self) -> None:
        """Wrap ``__init__`` of the resource classes we know, once each (idempotent)."""
        targets: list[type] = []
        for module_name, class_names in (
            ("asyncio.selector_events", ("_SelectorTransport",)),
            ("asyncio.base_subprocess", ("BaseSubprocessTransport",)),
            ("asyncio.proactor_events", ("_ProactorBasePipeTransport",)),
            ("asyncio.sslproto", ("_SSLProtocolTransport",)),
            ("subprocess", ("Popen",)),
            ("aiohttp.client", ("ClientSession",)),
            ("aiohttp.connector", ("BaseConnector",)),
        ):
            module = sys.modules.get(module_name)
            for class_name in class_names:
                cls = getattr(module, class_name, None) if module is not None else None
                if isinstance(cls, type) and cls not in self._patched_classes:
                    targets.append(cls)
        for cls in targets:
            self._patched_classes.add(cls)
            self._wrap_init(cls)

    def _wrap_init(self, cls: type) -> None:
        original = cls.__dict__.get("__init__")
        if not isinstance(original, types.FunctionType):
            return
        hooks = self
        limit = self.doctor.options.stack_limit

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            try:
                frame = user_frame(sys._getframe(1))
                if frame is not None:
                    hooks.objects.record(self, frame_data(frame), stack_of(frame, limit))
            except Exception as exc:
                hooks.doctor.internal_error("resource creation hook", exc)

        __init__.__qualname__ = original.__qualname__
        __init__.__doc__ = original.__doc__
        __init__.__wrapped__ = original  # type: ignore[attr-defined]
        self.doctor.patches.set(cls, "__init__", __init__)

    # -- never-awaited ----------------------------------------------------------

    def on_unawaited(self, message: Any, source: Any) -> Any:
        if self._owned_origin_depth and isinstance(message, str) and _ORIGIN_HEADER in message:
            origin = getattr(source, "cr_origin", None)
            if origin is not None and len(origin) <= self._owned_origin_depth:
                message = message.split(_ORIGIN_HEADER, 1)[0]
        if source is None or not self.doctor.options.wants("never-awaited"):
            return message
        limit = self.doctor.options.stack_limit
        qualname = getattr(source, "__qualname__", None) or getattr(source, "__name__", "?")
        code = getattr(source, "cr_code", None)
        name = code.co_name if isinstance(code, CodeType) else str(qualname).rsplit(".", 1)[-1]
        # warn <- _warn_unawaited_coroutine copy <- (C) <- the frame running the collection
        here = caller_frame(3)
        stack = stack_of(here, limit)
        created: Frame | None = None
        origin = getattr(source, "cr_origin", None)
        if origin:
            for filename, lineno, function in origin:
                if is_user_file(filename):
                    created = Frame(filename, lineno, function)
                    break
        location: Frame | None = created
        if location is None:
            frame = user_frame(here)
            if frame is not None:
                location, sure = find_creation(frame, frozenset({name}))
                created = location if sure else None
            elif isinstance(code, CodeType):
                # collected with no frame of the program running: look for the call
                created = location = guess_coroutine_creation(code)
        if location is None:
            if isinstance(code, CodeType) and is_user_file(code.co_filename):
                location = Frame(code.co_filename, code.co_firstlineno, code.co_name)
            else:
                return message
        self.doctor.record(
            RuntimeFinding(
                kind="never-awaited",
                message=f"coroutine '{qualname}' was never awaited",
                location=location,
                stack=stack,
                created_at=created,
                extra=(("coroutine", str(qualname)),),
                context=current_context(self.doctor),
            )
        )
        return message

    # -- unclosed resources ---------------------------------------------------------

    def _user_action(self, msg: warnings.WarningMessage) -> str:
        text = str(msg.message)
        module = msg.filename[:-3] if msg.filename.endswith(".py") else msg.filename
        for entry in _active_filters():
            if entry is self._filter:
                continue
            action, message_re, category, module_re, lineno = entry
            if (
                (message_re is None or message_re.match(text))
                and isinstance(category, type)
                and issubclass(msg.category, category)
                and (module_re is None or module_re.match(module))
                and (lineno == 0 or msg.lineno == lineno)
            ):
                return str(action)
        return str(getattr(warnings, "defaultaction", "default"))

    def on_resource_warning(self, msg: warnings.WarningMessage) -> str:
        action = self._user_action(msg)
        text = str(msg.message)
        if action in ("default", "module", "once"):
            key: tuple[Any, ...]
            if action == "once":
                key = ("once", text, msg.category)
            elif action == "module":
                key = ("module", msg.filename, text, msg.category)
            else:
                key = ("default", msg.filename, text, msg.category, msg.lineno)
            if key in self._shown:
                action = "ignore"
            else:
                self._shown.add(key)
                action = "always"
        if self.doctor.options.wants("unclosed-resource"):
            here = caller_frame(2)  # the frame that called warn(), e.g. a __del__
            source = msg.source
            if source is None and here is not None and here.f_code.co_name == "__del__":
                # asyncio's StreamWriter.__del__ warns without source=self.
                source = here.f_locals.get("self")
            self._record_unclosed(text, source, here)
        return action

    def library_unclosed(self, message: str, source: object) -> None:
        if source is not None and id(source) in self._recent:
            return
        self._record_unclosed(message, source, caller_frame(3))

    def _record_unclosed(self, text: str, source: object, here: FrameType | None) -> None:
        if source is not None:
            self._recent[id(source)] = 1.0
            if len(self._recent) > 256:
                for key in list(self._recent)[:128]:
                    del self._recent[key]
        limit = self.doctor.options.stack_limit
        site = None
        if source is not None:
            site = self.objects.get(source)
            if site is None:
                # A stream writer (or any wrapper) that owns a transport we saw made.
                inner = inspect.getattr_static(source, "_transport", None)
                if inner is not None:
                    site = self.objects.get(inner)
        created: Frame | None = None
        stack: tuple[Frame, ...]
        if site is not None:
            created, stack = site
            location: Frame | None = created
        else:
            stack = stack_of(here, limit)
            location = None
            frame = user_frame(here)
            if frame is not None:
                names = {"open"} if "file" in text else set()
                if source is not None:
                    names.add(type(source).__name__)
                    names.add(type(source).__name__.lower())
                location, sure = find_creation(frame, frozenset(names))
                created = location if sure else None
        if location is None:
            return
        summary = re.sub(r"\s+", " ", text).strip()
        if len(summary) > 160:
            summary = summary[:157] + "..."
        self.doctor.record(
            RuntimeFinding(
                kind="unclosed-resource",
                message=summary,
                location=location,
                stack=stack,
                created_at=created,
                extra=(("type", type(source).__qualname__),) if source is not None else (),
                context=current_context(self.doctor),
            )
        )
