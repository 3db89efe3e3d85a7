import os
import sys
import tempfile
from pathlib import Path

# The example envs are plain files (not a package); tests import them by file name.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

# envsdk.cbuild.load caches builds per user: tests must not fill (or read) the real cache.
os.environ.setdefault("ENVSDK_CACHE", tempfile.mkdtemp(prefix="envsdk-test-cache-"))
