"""Build C sims with cffi: envsdk's public C path, the one its bundled sims are built by too.

A sim is one header, ``<name>.h``, that includes ``"envsdk.h"`` (shipped with this package; see
``include_dir()``) and declares its structs (and a one-sub-env sim its two functions) once, between
``// envsdk:cdef begin`` and ``// envsdk:cdef end``; the batch functions, whose signatures envsdk
fixes, are declared to cffi here. Two ways to build it, with the same flags and so the same speed:

- ``load(header)``: compiled on first use into a per-user cache (``ENVSDK_CACHE``, else
  ``$XDG_CACHE_HOME/envsdk``, else ``~/.cache/envsdk``), keyed by a hash of the sources, the flags,
  envsdk's and cffi's versions and the Python ABI; later calls, and every worker process, load the
  cached build. For iterating on a sim.
- ``builder(module, header)``: an ``FFI`` for cffi's ``cffi_modules`` hook, so ``pip install
  --no-build-isolation .`` of the user's package compiles the sim and nothing compiles at import.
  For distributing one.

Either way the result is a module with ``ffi`` and ``lib``, bound to buffers by
``envsdk.csim.CSim``. Bad input raises ``CBuildError`` naming the header, what was expected, what
was found and the fix, and leaves nothing half-built in the cache.

This module imports only the standard library and cffi at import time: envsdk's own build runs it
by file path, before envsdk is installed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

try:
    from .errors import CBuildError
except ImportError:  # run by file path (envsdk's own build: csrc/build.py), so no envsdk package yet
    import importlib.util as _util

    _spec = _util.spec_from_file_location("_envsdk_errors", Path(__file__).with_name("errors.py"))
    _errors = _util.module_from_spec(_spec)
    _spec.loader.exec_module(_errors)
    CBuildError = _errors.CBuildError

INCLUDE = Path(__file__).resolve().with_name("include")
CFLAGS = ("-O3", "-falign-functions=64")
"""The compile flags of every build, bundled or a user's: equal flags give equal speed. Functions
start on a cache line, so a sim's speed does not depend on what else its module holds (unaligned,
the same machine code of pong's step ran 5% apart in two modules)."""
CACHE_ENV = "ENVSDK_CACHE"
"""Environment variable naming the folder ``load`` caches its builds in."""

_CDEF = re.compile(r"//\s*envsdk:cdef begin[^\n]*\n(.*?)//\s*envsdk:cdef end", re.S)
_BEGIN = re.compile(r"//\s*envsdk:cdef begin")
_BUFFERS = ("observations", "actions", "rewards", "terminals", "truncations")
# A buffer field's C item type -> what it must be (the dtype envsdk.allocate gives that buffer).
_NUMERIC = ("float", "double", "_Bool", "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t",
            "int64_t", "uint64_t")
_ITEM_TYPES = {
    "observations": _NUMERIC, "actions": ("int32_t", "float"), "rewards": ("float",),
    "terminals": ("_Bool",), "truncations": ("_Bool",), "masks": ("_Bool",),
}
_SUB_ENV_FUNCTIONS = "int {n}_init(envsdk_vec* vec, const {n}* proto);\n" \
    "void {n}_reset(envsdk_vec* vec, uint64_t seed);\nint32_t {n}_step(envsdk_vec* vec);\n" \
    "void {n}_step_n(envsdk_vec* vec, int64_t n);\nvoid {n}_close(envsdk_vec* vec);\n"
# An array-style sim's batch functions, declared to cffi here (the header may declare them too).
_ARRAY_FUNCTIONS = {
    "init": "int {n}_init({n}* env);", "reset": "void {n}_reset({n}* env, uint64_t seed);",
    "step": "int32_t {n}_step({n}* env);", "close": "void {n}_close({n}* env);",
    "step_n": "void {n}_step_n({n}* env, int64_t n);",  # optional: bench's bare C loop
}


def include_dir() -> str:
    """The folder holding ``envsdk.h``; ``builder`` and ``load`` put it on the include path themselves."""
    return str(INCLUDE)


def _cdef_region(header: Path, text: str) -> str:
    regions = _CDEF.findall(text)
    if len(regions) != 1:
        raise CBuildError(
            f"{header}: expected exactly one '// envsdk:cdef begin' ... '// envsdk:cdef end' region, found "
            f"{len(regions)}. Fix: put the sim's struct and function declarations (no macros, no bodies) "
            "between one such pair of comment lines; envsdk hands that text to cffi's cdef."
        )
    return regions[0]


class _Sim:
    """One sim header, parsed and checked: its name (the file's stem), cdef text and style."""

    def __init__(self, header: Path):
        self.path, self.name = header, header.stem
        text = header.read_text()
        self.cdef = _cdef_region(header, text)
        if not re.fullmatch(r"[A-Za-z_]\w*", self.name):
            raise CBuildError(
                f"{header}: expected a file name that is a C identifier (the sim's name), found {self.name!r}. "
                "Fix: rename the header, e.g. my_sim.h for struct my_sim."
            )
        self.sub_env = bool(re.search(rf"\b{self.name}_step_one\s*\(", self.cdef))
        self.functions = () if self.sub_env else self._array_functions(text)
        self._check(text)

    def _array_functions(self, text: str) -> tuple[str, ...]:
        """The batch functions an array-style header declares in its cdef region or defines (a
        definition ``<name>_f(...) {``, or ENVSDK_ARRAYS for _close and _step_n,
        ENVSDK_DEFINE_STEP_N for _step_n)."""
        n, body = self.name, _CDEF.sub("", text)
        found = []
        for f in _ARRAY_FUNCTIONS:
            declared = re.search(rf"\b{n}_{f}\s*\(", self.cdef)
            defined = re.search(rf"\b{n}_{f}\s*\([^;{{}}()]*\)\s*\{{", body)
            by_macro = (f in ("close", "step_n") and re.search(rf"\bENVSDK_ARRAYS\(\s*{n}\s*\)", body)) or \
                (f == "step_n" and re.search(rf"\bENVSDK_DEFINE_STEP_N\(\s*{n}\s*\)", body))
            if declared or defined or by_macro:
                found.append(f)
        return tuple(found)

    def _fail(self, expected: str, found: str, fix: str) -> None:
        raise CBuildError(f"{self.path}: expected {expected}, found {found}. Fix: {fix}")

    def _check(self, text: str) -> None:
        from cffi import FFI, CDefError

        n = self.name
        if self.sub_env:
            functions = ("start_one", "step_one")
            missing = [f"{n}_{f}" for f in functions if not re.search(rf"\b{n}_{f}\s*\(", self.cdef)]
            expected = f"a one-sub-env sim (it declares _step_one) to declare {n}_start_one, {n}_step_one in " \
                "its cdef region"
            fix = "declare and define them as the README's 'Write a C env' shows"
        else:
            missing = [f"{n}_{f}" for f in ("init", "reset", "step", "close") if f not in self.functions]
            expected = f"an array-style sim to define {n}_init, {n}_reset, {n}_step, {n}_close"
            fix = f"define them as the README's 'Write a C env' shows (a last line ENVSDK_ARRAYS({n}) " \
                f"defines {n}_close)"
        if missing:
            self._fail(expected, f"no {', '.join(missing)}", fix)
        if self.sub_env and not re.search(rf"ENVSDK_SUB_ENV(_WITH_MASKS)?\(\s*{n}\s*\)", _CDEF.sub("", text)):
            self._fail(f"ENVSDK_SUB_ENV({n}) after the definitions of {n}_start_one and {n}_step_one",
                       "no such line", f"end the header with ENVSDK_SUB_ENV({n}) (it defines the batch functions)")
        ffi = FFI()
        try:
            ffi.cdef(_envsdk_cdef())
            ffi.cdef(self.cdef)
            struct = ffi.typeof(n)
        except CDefError as e:
            self._fail("C declarations cffi can parse in the cdef region", f"{e}",
                       "keep the region to plain typedefs, structs and prototypes (no macros, bodies or #include)")
        except ffi.error:
            self._fail(f"a struct declared as typedef struct {n} {{ ... }} {n};", "none",
                       f"declare the sim's struct with the header's name, {n}")
        fields = dict(struct.fields or ())
        for field in (*_BUFFERS, "masks"):
            if field not in fields:
                if field != "masks":
                    self._fail(f"struct {n} to have a pointer field {field!r}", "none",
                               f"add `{_ITEM_TYPES[field][0].replace('_Bool', 'bool')}* {field};` to struct {n}")
                continue
            ctype = fields[field].type
            item = ctype.item.cname if ctype.kind == "pointer" else None
            if item not in _ITEM_TYPES[field]:
                allowed = " or ".join(f"{t.replace('_Bool', 'bool')}*" for t in _ITEM_TYPES[field])
                self._fail(f"{n}.{field} to be {allowed}", ctype.cname,
                           f"declare it as {allowed} (the dtype envsdk.allocate gives that buffer)")
        if "final_observations" in fields and fields["final_observations"].type != fields["observations"].type:
            obs, found = fields["observations"].type.cname, fields["final_observations"].type.cname
            self._fail(f"{n}.final_observations to be {obs}, as {n}.observations", found,
                       f"declare it as {obs} (it holds observation rows)")
        if self.sub_env:
            self._require(fields, "rng", "uint64_t", "add `uint64_t rng;` (envsdk seeds sub-env i with seed + i)")
            self._require(fields, "log", f"{n}_log *", f"add `{n}_log* log;` (the batch's shared episode log)")
            self._check_log(ffi, ffi.typeof(f"{n}_log"))
        else:
            self._require(fields, "num_envs", "int32_t", "add `int32_t num_envs;` (set by envsdk before init)")
            self._require(fields, "core", "envsdk_core", "add `envsdk_core core;` (report, started, allocations)")
            self._require(fields, "log", f"{n}_log", f"add `{n}_log log;` (the episode log)")
            self._check_log(ffi, fields["log"].type)

    def _require(self, fields: dict, field: str, cname: str, fix: str) -> None:
        # cffi names a typedef'd struct "x" when parsing and "struct x" once compiled: compare without it.
        found = fields[field].type.cname.replace("struct ", "") if field in fields else "none"
        if found != cname:
            self._fail(f"struct {self.name} to have a field {field!r} of type {cname}", found, fix)

    def _check_log(self, ffi, log) -> None:
        found = [(k, f.type.cname) for k, f in log.fields or ()]
        if not found or found[0][0] != "count" or any(t != "double" for _, t in found) or len(found) > 16:
            self._fail(f"{self.name}_log to be at most 16 double fields, count first (then episode_return, "
                       "episode_length and any others)", f"{found}",
                       "declare every field of the log as double, `double count;` first")

    def declarations(self) -> str:
        """The cdef text: the header's region, plus the batch functions: those ENVSDK_SUB_ENV
        defines, or those an array-style header defines and does not declare itself."""
        if self.sub_env:
            return self.cdef + _SUB_ENV_FUNCTIONS.format(n=self.name)
        n = self.name
        extra = [_ARRAY_FUNCTIONS[f].format(n=n) for f in self.functions
                 if not re.search(rf"\b{n}_{f}\s*\(", self.cdef)]
        return self.cdef + "".join(f"\n{d}" for d in extra) + "\n"


def _envsdk_cdef() -> str:
    return _cdef_region(INCLUDE / "envsdk.h", (INCLUDE / "envsdk.h").read_text())


def _headers(sources) -> list[Path]:
    """The sim headers named by ``sources``: files as given, and in each folder every ``*.h`` with a
    cdef region (the others are helpers the sims include)."""
    headers = []
    for source in sources:
        path = Path(source).resolve()
        if path.is_dir():
            found = sorted(h for h in path.glob("*.h") if _BEGIN.search(h.read_text()))
            if not found:
                raise CBuildError(
                    f"{path}: expected a folder with at least one sim header (a *.h with a '// envsdk:cdef begin' "
                    "region), found none. Fix: point envsdk at the sim's header or its folder."
                )
            headers += found
        elif path.is_file():
            headers.append(path)
        else:
            raise CBuildError(f"{source}: expected a C header or a folder of them, found no such path. "
                              "Fix: pass the header's path (e.g. Path(__file__).with_name('my_sim.h')).")
    if not headers:
        raise CBuildError("envsdk.cbuild: expected at least one header, found none. Fix: pass the sim's header.")
    return headers


def _plan(module: str, sources, support=(), include_dirs=(), extra_compile_args=(), extra_link_args=(),
          libraries=("m",)) -> tuple[str, str, dict]:
    """What to hand cffi for ``module``: the cdef, the C source and ``set_source``'s keywords."""
    sims = [_Sim(h) for h in _headers(sources)]
    names = [s.name for s in sims]
    if len(set(names)) != len(names):
        raise CBuildError(f"{module}: expected one header per sim name, found {names}. Fix: rename one of them.")
    support = [Path(s).resolve() for s in support]
    cdef = "\n".join([_envsdk_cdef(), *(s.declarations() for s in sims),
                      *(_cdef_region(p, p.read_text()) for p in support)])
    headers = [*(s.path for s in sims), *support]
    source = "\n".join(f'#include "{h}"' for h in headers)
    folders = list(dict.fromkeys([str(INCLUDE), *(str(h.parent) for h in headers), *map(str, include_dirs)]))
    kwargs = {
        "include_dirs": folders,
        "extra_compile_args": [*CFLAGS, *extra_compile_args],
        "extra_link_args": list(extra_link_args),
        "libraries": list(libraries),  # sims call sin/cos: do not rely on the interpreter having loaded libm
        "depends": sorted(str(p) for f in folders for p in Path(f).glob("*.h")),
    }
    return cdef, source, kwargs


def builder(module: str, *sources, support=(), include_dirs=(), extra_compile_args=(), extra_link_args=(),
            libraries=("m",)):
    """A cffi ``FFI`` that compiles the sims in ``sources`` (headers or folders) into extension ``module``.

    For cffi's ``cffi_modules`` hook in the user's ``setup.py``, e.g. a ``build_sim.py`` holding
    ``ffibuilder = builder("my_pkg._my_sim", Path(__file__).parent / "my_pkg" / "my_sim.h")`` and
    ``setup(cffi_modules=["build_sim.py:ffibuilder"])``; ``pip install --no-build-isolation .`` then
    compiles it. Each header is checked first (``CBuildError``). ``support`` names headers compiled
    and declared as they are, not checked as sims. ``envsdk.h`` is on the include path, and the
    flags are ``CFLAGS`` plus ``extra_compile_args``.
    """
    from cffi import FFI

    cdef, source, kwargs = _plan(module, sources, support, include_dirs, extra_compile_args, extra_link_args,
                                 libraries)
    ffi = FFI()
    ffi.cdef(cdef)
    ffi.set_source(module, source, **kwargs)
    return ffi


# --- compiled on first use ---------------------------------------------------------------------

def cache_dir() -> Path:
    """Where ``load`` keeps its builds: ``$ENVSDK_CACHE``, else ``$XDG_CACHE_HOME/envsdk``, else ``~/.cache/envsdk``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "envsdk"


def _versions() -> str:
    from importlib import metadata

    import cffi

    try:
        envsdk_version = metadata.version("envsdk")
    except metadata.PackageNotFoundError:
        envsdk_version = "0+unknown"
    abi = (sys.implementation.cache_tag, sysconfig.get_config_var("EXT_SUFFIX"), sysconfig.get_platform())
    return json.dumps([envsdk_version, cffi.__version__, *abi])


def _key(sources, include_dirs, flags) -> str:
    """A hash of everything a build depends on: every ``*.h`` in the folders it reads (the sims',
    ``envsdk.h``'s and ``include_dirs``), the flags and libraries, and the versions and ABI."""
    digest = hashlib.sha256(_versions().encode())
    digest.update(json.dumps(flags).encode())
    folders = {INCLUDE, *(Path(d).resolve() for d in include_dirs)}
    for source in sources:
        path = Path(source).resolve()
        folders.add(path if path.is_dir() else path.parent)
        digest.update(str(path).encode() + b"\0")
    for folder in sorted(folders):
        for header in sorted(folder.glob("*.h")):
            digest.update(str(header).encode() + b"\0" + header.read_bytes() + b"\0")
    return digest.hexdigest()


def _import(name: str, path: Path):
    if name in sys.modules:
        return sys.modules[name]
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


# The compile runs in a child interpreter: its compiler output is captured whole (to quote it in
# an error) and its wait is bounded, with no redirection of this process's own streams.
_COMPILE = """
import json, sys
from cffi import FFI
spec = json.load(sys.stdin)
ffi = FFI()
ffi.cdef(spec["cdef"])
ffi.set_source(spec["module"], spec["source"], **spec["kwargs"])
print(json.dumps(ffi.compile(tmpdir=spec["tmpdir"], verbose=True)))
"""


def load(*sources, include_dirs=(), extra_compile_args=(), extra_link_args=(), libraries=("m",),
         cache: str | os.PathLike | None = None, timeout: float = 600.0):
    """The compiled module (``ffi``, ``lib``) of the sims in ``sources`` (headers or folders), built on first use.

    The first call compiles into ``cache`` (default ``cache_dir()``) under a name keyed by a hash
    of the sources, the flags, envsdk's and cffi's versions and the Python ABI; every later call
    with the same inputs, in this process or another (Multiprocessing workers under any start
    method, Ray actors on this machine), loads that build without compiling. A changed header
    gives a new key and so a new build. Concurrent first calls build once: a lock file serializes
    them (waited on at most ``timeout`` seconds) and the build is renamed into place whole.

    Raises ``CBuildError`` for a header that is not a valid sim, a compile error (quoting the
    compiler's messages, which name the file and line), a compile or lock wait longer than
    ``timeout``, or a cache folder that cannot be written.
    """
    flags = [list(extra_compile_args), list(extra_link_args), list(libraries)]
    key = _key(sources, include_dirs, flags)
    headers = _headers(sources)
    name = f"_envsdk_{headers[0].stem}_{key[:20]}"
    root = Path(cache) if cache is not None else cache_dir()
    built = _find(root, name)
    if built is not None:
        return _import(name, built)
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / f"{name}.lock", "a")  # held (and locked) until the build is in place
    except OSError as e:
        raise CBuildError(
            f"{root}: expected a cache folder envsdk can write (to build {headers[0]}), found {e.strerror}. "
            f"Fix: set {CACHE_ENV} to a writable folder, e.g. {CACHE_ENV}=/tmp/envsdk-cache."
        ) from None
    with lock, _locked(lock, root / f"{name}.lock", timeout):
        built = _find(root, name)  # another process may have built it while this one waited
        if built is None:
            built = _compile(name, root, headers, _plan(name, sources, (), include_dirs, extra_compile_args,
                                                           extra_link_args, libraries), timeout)
    return _import(name, built)


def _find(root: Path, name: str) -> Path | None:
    for path in sorted(root.glob(f"{name}.*")):
        if path.suffix in (".so", ".pyd", ".dylib"):
            return path
    return None


@contextlib.contextmanager
def _locked(file, path: Path, timeout: float):
    import fcntl

    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise CBuildError(
                    f"{path}: expected the build lock within {timeout:g} s, found another process holding it. "
                    "Fix: wait for that build to finish, or delete the lock file if no envsdk process is running."
                ) from None
            time.sleep(0.05)
    try:
        yield
    finally:
        fcntl.flock(file, fcntl.LOCK_UN)


def _compile(name: str, root: Path, headers: list[Path], plan, timeout: float) -> Path:
    cdef, source, kwargs = plan
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    except OSError as e:
        raise CBuildError(
            f"{root}: expected a cache folder envsdk can write (to build {headers[0]}), found {e.strerror}. "
            f"Fix: set {CACHE_ENV} to a writable folder, e.g. {CACHE_ENV}=/tmp/envsdk-cache."
        ) from None
    try:
        spec = json.dumps({"cdef": cdef, "source": source, "kwargs": kwargs, "module": name, "tmpdir": str(tmp)})
        try:
            run = subprocess.run([sys.executable, "-c", _COMPILE], input=spec, capture_output=True, text=True,
                                 cwd=tmp, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CBuildError(
                f"{headers[0]}: expected the compile to finish within {timeout:g} s, found it still running. "
                "Fix: pass a larger timeout= to envsdk.cbuild.load, or find what stalls the compiler."
            ) from None
        if run.returncode != 0:
            raise CBuildError(_compile_error(headers, run.stdout + run.stderr))
        built = Path(json.loads(run.stdout.strip().splitlines()[-1]))
        target = root / built.name
        os.replace(built, target)  # whole or not at all: a reader never sees a half-written module
        return target
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def _compile_error(headers: list[Path], output: str) -> str:
    """The compiler's diagnostics (``file:line:col: error: ...`` and the lines under them), quoted."""
    lines = output.splitlines()
    diagnostics = [i for i, line in enumerate(lines) if re.match(r"\S.*?:\d+:(\d+:)? (fatal )?error:", line)]
    if diagnostics:
        quoted = []
        for i in diagnostics[:10]:
            quoted += lines[i:i + 3]
        body = "\n".join(f"    {line}" for line in quoted)
        return (f"{', '.join(map(str, headers))}: expected the sim to compile, found the C compiler's errors:\n"
                f"{body}\nFix: correct the code at the file:line the compiler names, then call load again (a "
                "changed header rebuilds).")
    # No diagnostic: the build itself failed (no C compiler, no setuptools on Python >= 3.12, ...).
    body = "\n".join(f"    {line}" for line in lines[-4:])
    return (f"{', '.join(map(str, headers))}: expected the sim to compile, found the build failing before any "
            f"compiler diagnostic:\n{body}\nFix: install a C compiler (gcc or clang; CC names another) and "
            "setuptools (python -m pip install setuptools), then call load again.")
