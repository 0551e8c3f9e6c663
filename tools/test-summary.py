#!/usr/bin/env python3
"""Totals of one or more meson test logs (meson-logs/testlog.json), printed as the plain
closing line 'tests: N passed, N failed, N skipped'.  Exits 1 if any test failed."""
import json
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)["result"]
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
