#!/usr/bin/env python3
"""Lists every function, initializer and deinitializer in Sources/ longer than the limit (default
60 lines, declaration to closing brace) and exits 1 when there is one. The house rule (issue 16):
a function that does not fit on a screen is several steps that want names of their own.
Usage: scripts/check-function-length.py [LIMIT] [DIR ...]"""
import os
import re
import sys

DECLARATION = re.compile(
    r"^(\s*)(?:@\w+(?:\([^)]*\))?\s+)*"
    r"(?:(?:public|package|private|fileprivate|internal|static|class|final|override|mutating|nonmutating|"
    r"nonisolated|convenience|required)\s+)*(?:func|init|deinit)\b")


def long_functions(path, limit):
    """(length, line, declaration) of each function in `path` over `limit` lines."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found = []
    for start, line in enumerate(lines):
        match = DECLARATION.match(line)
        if not match or (line.count("{") and line.count("{") == line.count("}")):
            continue  # not a declaration, or one whose body ends on its own line
        indent = match.group(1)
        for end in range(start + 1, len(lines)):
            text = lines[end]
            if text.startswith(indent + "}") and len(text) - len(text.lstrip()) == len(indent):
                if end - start + 1 > limit:
                    found.append((end - start + 1, start + 1, line.strip()[:90]))
                break
    return found


def main():
    args = sys.argv[1:]
    limit = int(args.pop(0)) if args and args[0].isdigit() else 60
    roots = args or ["Sources"]
    failures = []
    for root in roots:
        for directory, _, files in os.walk(root):
            for name in sorted(files):
                if name.endswith(".swift"):
                    path = os.path.join(directory, name)
                    failures += [(length, f"{path}:{line}", text) for length, line, text in long_functions(path, limit)]
    for length, where, text in sorted(failures, reverse=True):
        print(f"{where}: {length} lines (limit {limit}): {text}")
    print(f"functions over {limit} lines in {', '.join(roots)}: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
