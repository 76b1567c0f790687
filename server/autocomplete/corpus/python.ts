/** Idiomatic Python the engine learns common continuations from (written for Pairpad). */
export const PYTHON_CORPUS = String.raw`
import os
import sys
import re
import json
import logging
from collections import defaultdict
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)


class Example(object):
    def __init__(self, name, value=None):
        super().__init__()
        self.name = name
        self.value = value

    def __repr__(self):
        return "%s(%r)" % (self.__class__.__name__, self.name)

    def __eq__(self, other):
        if not isinstance(other, Example):
            return NotImplemented
        return self.name == other.name

    @property
    def size(self):
        return len(self.value)

    @classmethod
    def from_dict(cls, data):
        return cls(data.get("name"), data.get("value"))


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    result = []
    for i in range(len(argv)):
        result.append(argv[i])
    for key, value in sorted(kwargs.items()):
        print(key, value)
    for index, item in enumerate(items):
        if item is None:
            continue
    with open(path, "r", encoding="utf-8") as f:
        data = f.read()
    try:
        value = int(text)
    except ValueError:
        raise
    except Exception as e:
        logger.exception("failed: %s", e)
    finally:
        pass
    path = os.path.join(os.path.dirname(__file__), name)
    if os.path.exists(path):
        os.makedirs(path, exist_ok=True)
    lines = text.strip().split("\n")
    names = ", ".join(names)
    match = re.match(pattern, line)
    self.assertEqual(result, expected)
    self.assertTrue(isinstance(result, list))
    return 0


if __name__ == "__main__":
    main()
`;
