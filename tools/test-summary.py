#!/usr/bin/env python3
"""Totals of one or more meson test logs (meson-logs/testlog.json), printed as the plain
closing line 'tests: N passed, N failed, N skipped'.  Exits 1 if any test failed."""
import json
import sys

passed = failed = skipped = 0
missing = []
for path in sys.argv[1:]:
    try:
        fh = open(path)
    except OSError as exc:
        # A suite whose log is absent never ran (its build failed): that is a failure.
        missing.append(f"{path}: {exc.strerror}")
        continue
    with fh:
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
for m in missing:
    print(f"test-summary: no test log ({m}); that suite did not run", file=sys.stderr)
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or missing else 0)
