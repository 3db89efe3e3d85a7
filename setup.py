# The C sims are compiled by cffi's setuptools hook; all other metadata is in pyproject.toml.
from setuptools import setup

setup(cffi_modules=["csrc/build.py:ffibuilder"])
