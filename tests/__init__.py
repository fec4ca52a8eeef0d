"""dondoc's tests.

Compiled files are kept while the tests run, whatever PYTHONDONTWRITEBYTECODE says (the
project's image sets it, and so may the machine that runs the suite). Without them every
test process (two under xdist) rewrote and compiled each test file's asserts anew at
collection, about 7 s of CPU of the 13 s a collection takes, on every run. The package is
imported before any test module, and before xdist starts its processes, which inherit the
environment. Only caches change: what runs is the same source.
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
