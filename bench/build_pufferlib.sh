#!/usr/bin/env bash
# Build PufferLib 3.0's ocean envs of the same names as ours, offline, for bench/bench_envs.py.
#
#     bash bench/build_pufferlib.sh [DIR]      # default DIR: bench/out/pufferlib
#
# `pip install pufferlib==3.0.0` fails without internet: its setup.py downloads raylib and box2d
# from GitHub. Its sdist already holds raylib for Linux (headers and libraylib.a), and none of
# the envs benchmarked here links box2d, so this script
#   - downloads the sdist from PyPI and unpacks it into DIR,
#   - puts empty stand-ins where setup.py would download (an empty box2d archive and two empty
#     web-build folders), which makes it skip the downloads,
#   - runs PufferLib's own setup.py, unmodified, with its own flags, restricted to the ocean
#     extensions named below, built in place,
#   - installs gym 0.23.1 and psutil (which pufferlib imports) into DIR/deps.
# Nothing goes into the current environment: pufferlib pins numpy<2, so it is put on the path
# instead; bench/bench_envs.py adds DIR/pufferlib-3.0.0 and DIR/deps to sys.path when they exist.
# Needs gcc, numpy and torch (PufferLib's setup.py imports torch's build helpers).
set -euo pipefail
dir=${1:-$(dirname "$0")/out/pufferlib}
envs=(cartpole breakout pong squared connect4 snake tripletriad)
mkdir -p "$dir"
cd "$dir"
# The sdist from PyPI's simple index, its sha256 checked (pip download would run setup.py).
python - <<'PY'
import hashlib
import re
import urllib.request

index = urllib.request.urlopen("https://pypi.org/simple/pufferlib/").read().decode()
url, sha256 = re.search(r'href="([^"#]*/pufferlib-3\.0\.0\.tar\.gz)#sha256=([0-9a-f]+)"', index).groups()
data = urllib.request.urlopen(url).read()
assert hashlib.sha256(data).hexdigest() == sha256, f"{url}: sha256 mismatch"
open("pufferlib-3.0.0.tar.gz", "wb").write(data)
PY
tar xzf pufferlib-3.0.0.tar.gz
python -m pip install --quiet --no-deps --target deps gym==0.23.1 psutil
cd pufferlib-3.0.0
mkdir -p box2d-linux-amd64 box2d-web raylib-5.5_webassembly
printf '!<arch>\n' > box2d-linux-amd64/libbox2d.a
# setup.py builds every ocean env (and a torch extension); keep only the named C extensions.
NO_TRAIN=1 python - "${envs[@]}" <<'EOF'
import sys

import setuptools

wanted = {f"pufferlib.ocean.{name}.binding" for name in sys.argv[1:]}
real_setup = setuptools.setup


def setup(**kwargs):
    kwargs["ext_modules"] = [e for e in kwargs["ext_modules"] if e.name in wanted]
    return real_setup(**kwargs)


setuptools.setup = setup
sys.argv = ["setup.py", "build_c", "--inplace", "--force"]
exec(compile(open("setup.py").read(), "setup.py", "exec"), {"__name__": "__main__", "__file__": "setup.py"})
EOF
echo "built: $(ls pufferlib/ocean/*/binding*.so | wc -l) of ${#envs[@]} ocean envs in $PWD"
