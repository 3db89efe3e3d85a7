"""The checker's result: one ``CheckResult`` per named check, gathered in a ``Report``.

A check ends by returning a note (pass) or by raising an ``Outcome`` (``Failed``, ``Warned``,
``Skipped``); ``fail`` and ``warn`` build the message every finding has:
``"property: expected X, found Y."`` plus the fix.
"""

from __future__ import annotations

import json
import os
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

from envsdk.errors import EnvsdkError

STATUSES = ("pass", "warn", "fail", "skip")


@dataclass
class CheckResult:
    """The outcome of one named check.

    ``status`` is one of ``STATUSES``; ``message`` says what was checked (pass, skip) or the
    problem (``"property: expected X, found Y."``); ``fix`` says what to change; ``details``
    holds the env's traceback or other evidence; ``seconds`` is the check's wall time.
    """

    name: str
    status: str
    message: str = ""
    fix: str = ""
    details: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    """Every check's result for one target; ``ok`` when none failed (warnings are allowed)."""

    target: str
    settings: dict[str, Any]
    results: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not any(r.status == "fail" for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        """The failed checks' results."""
        return [r for r in self.results if r.status == "fail"]

    @property
    def warnings(self) -> list[CheckResult]:
        """The warned checks' results."""
        return [r for r in self.results if r.status == "warn"]

    def __getitem__(self, name: str) -> CheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"Report: expected a check named {name!r}, found none. Checks: {[r.name for r in self.results]}")

    def counts(self) -> dict[str, int]:
        """How many checks ended with each status."""
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (seconds rounded to ms)."""
        return {
            "target": self.target,
            "ok": self.ok,
            "settings": self.settings,
            "counts": self.counts(),
            "seconds": round(self.seconds, 3),
            "results": [{**asdict(r), "seconds": round(r.seconds, 3)} for r in self.results],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The machine-readable report: ``to_dict`` as JSON."""
        return json.dumps(self.to_dict(), indent=indent, default=repr)

    def format(self) -> str:
        """The human report: one line per check, then the details (with fixes) of warnings and failures."""
        s = self.settings
        config = " ".join(f"{k}={v!r}" for k, v in s["config"].items())
        head = f"envsdk check {self.target}  num_envs={s['num_envs']} seed={s['seed']} steps={s['steps']}"
        lines = [head + (f" {config}" if config else "") + ("  (quick)" if s["quick"] else ""), ""]
        width = max((len(r.name) for r in self.results), default=0)
        for r in self.results:
            note = r.message.splitlines()[0] if r.message else ""
            if len(note) > 100:
                note = note[:99] + "…"
            lines.append(f"  {r.status.upper() if r.status == 'fail' else r.status:<4}  {r.name:<{width}}  "
                         f"{r.seconds:5.2f}s  {note}")
        problems = [r for r in self.results if r.status in ("fail", "warn")]
        if problems:
            lines += ["", "Details:"]
            for r in problems:
                lines.append(f"  {r.status.upper()} {r.name}: {r.message}")
                if r.fix:
                    lines.append(f"    Fix: {r.fix}")
                if r.details:
                    lines += ["    " + line for line in r.details.rstrip().splitlines()]
        c = self.counts()
        verdict = "OK" if self.ok else "FAILED"
        lines += ["", f"{verdict}: {c['pass']} passed, {c['warn']} warnings, {c['fail']} failed, "
                      f"{c['skip']} skipped in {self.seconds:.1f}s"]
        return "\n".join(lines)

    __str__ = format


class Outcome(Exception):
    """Raised by a check to end it with a status other than pass."""

    status = "fail"

    def __init__(self, message: str, fix: str = "", details: str = ""):
        super().__init__(message)
        self.message, self.fix, self.details = message, fix, details


class Failed(Outcome):
    """The check failed."""

    status = "fail"


class Warned(Outcome):
    """The check found a problem that does not fail the run."""

    status = "warn"


class Skipped(Outcome):
    """The check does not apply (its message says why)."""

    status = "skip"


def fail(prop: str, expected: str, found: str, fix: str, details: str = "") -> NoReturn:
    """End the check as failed: ``prop: expected X, found Y.`` plus the fix."""
    raise Failed(f"{prop}: expected {expected}, found {found}.", fix, details)


def warn(prop: str, expected: str, found: str, fix: str, details: str = "") -> NoReturn:
    """End the check with a warning (the run still passes)."""
    raise Warned(f"{prop}: expected {expected}, found {found}.", fix, details)


def from_error(err: EnvsdkError, cls: type[Outcome] = Failed) -> Outcome:
    """An envsdk error as an outcome, read from its fields (``owner``, ``field``, ``expected``,
    ``found``, ``fix``); an error raised with a message alone becomes that message, with no fix."""
    if err.fix is None:
        return cls(str(err))
    where = err.owner if err.field is None else f"{err.owner}.{err.field}"
    return cls(f"{where}: expected {err.expected}, found {err.found}.", err.fix)


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def env_traceback(exc: BaseException) -> str:
    """The traceback from the first frame outside the checker (the env's part of it)."""
    tb = exc.__traceback__
    while tb is not None and os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename)) == _PACKAGE:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))

