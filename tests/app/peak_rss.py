"""Run `slocheck ARGS...` in this process, then write its peak resident set size (bytes) to OUTFILE.

python tests/app/peak_rss.py OUTFILE validate big.yaml
"""

import resource
import sys
from pathlib import Path

from slocheck.__main__ import main

if __name__ == "__main__":
    outfile, args = Path(sys.argv[1]), sys.argv[2:]
    try:
        code = main(args)
    finally:
        outfile.write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
    sys.exit(code)
