"""What PosGuard's outside-in check scripts share: counting checks, and the closing line and exit status."""
import sys


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def __call__(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAILED: {what}", file=sys.stderr)

    def finish(self, title):
        print(f"{title}: {self.passed} checks passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)
