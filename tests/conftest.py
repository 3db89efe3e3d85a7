import sys
from pathlib import Path

# The example envs are plain files (not a package); tests import them by file name.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
