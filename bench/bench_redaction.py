"""Time `redact_text` on large hostile values: the redaction patterns must stay linear.

    .venv/bin/python bench/bench_redaction.py [--mb 9]

Each input is the kind of value that made a backtracking pattern quadratic (a 40,000-character
value took 24 s, a 9 MB ConfigMap value over a minute before the patterns were anchored). Prints
seconds per input; the target is about a second for 9 MB. Numbers, not a test.
"""

from __future__ import annotations

import argparse
import random
import string
import time

from scanner.core.redaction import redact_text


def inputs(size: int) -> dict[str, str]:
    rng = random.Random(1)
    base64ish = string.ascii_letters + string.digits + "+/"
    return {
        "letters": "a" * size,
        "scheme-like runs (a.a.a.)": "a." * (size // 2),
        "almost a URL (a://a:)": "a://a:" * (size // 6),
        "JWT starts (eyJ-)": "eyJ-" * (size // 4),
        "assignments (a=b )": "a=b " * (size // 4),
        "secret assignments (password=x )": "password=x " * (size // 11),
        "flags (--password -)": "--password -" * (size // 12),
        "random base64": "".join(rng.choice(base64ish) for _ in range(size)),
        "PEM begins without END": "-----BEGIN RSA PRIVATE KEY-----\n" * (size // 32),
        "random printable": "".join(rng.choice(string.printable) for _ in range(size)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=9.0, help="size of each input in MB")
    args = parser.parse_args()
    size = int(args.mb * 1024 * 1024)
    print(f"{'input':<36} {'MB':>5} {'seconds':>8}")
    for name, text in inputs(size).items():
        start = time.perf_counter()
        redact_text(text)
        elapsed = time.perf_counter() - start
        print(f"{name:<36} {len(text) / 1024 / 1024:>5.1f} {elapsed:>8.2f}")


if __name__ == "__main__":
    main()
