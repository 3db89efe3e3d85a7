# Everything but the C build is in pyproject.toml: cffi compiles build_sim.py's sim at install.
from setuptools import setup

setup(cffi_modules=["build_sim.py:ffibuilder"])
