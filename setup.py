# The C sims are compiled by cffi's setuptools hook; all other metadata is in pyproject.toml.
from setuptools import setup

try:
    import cffi  # noqa: F401  (the hook below is cffi's: without cffi, setuptools would only warn
    #               "Unknown distribution option" and build a package with no C sims at all)
except ImportError:
    raise SystemExit(
        "envsdk's build: expected cffi>=1.16 in the build environment (it compiles the C sims in csrc/), "
        "found none. Fix: python -m pip install 'cffi>=1.16' before building with --no-build-isolation, "
        "or build without that flag so pip installs the build requirements itself."
    ) from None

setup(cffi_modules=["csrc/build.py:ffibuilder"])
